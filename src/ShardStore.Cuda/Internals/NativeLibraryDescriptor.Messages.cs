namespace ShardStore.Native;

/// <summary>How ShardStore.Cuda names a driver library that does not load, or that the platform does not have.</summary>
internal sealed partial record NativeLibraryDescriptor
{
    internal partial string FormatNotFoundMessage() => CandidateNames.Count == 0
        ? $"ShardStore.Cuda has no CUDA driver to load on this platform. {InstallHint}"
        : $"ShardStore.Cuda could not load the CUDA driver library {DisplayName} (tried: {string.Join(", ", CandidateNames)}). {InstallHint}";
}
