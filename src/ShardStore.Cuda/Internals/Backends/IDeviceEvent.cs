namespace ShardStore.Cuda.Internals.Backends;

/// <summary>An event of one <see cref="IDeviceBackend"/>: a marker recorded on a stream, complete when the stream reaches it.</summary>
internal interface IDeviceEvent : IDisposable
{
}
