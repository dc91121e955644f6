using System.Globalization;

namespace ShardStore.Internals.Reading;

/// <summary>
/// Which file an open handle refers to and which version of it: device and inode (zero where the system gives
/// none), length, and modification time in nanoseconds. A file replaced by another, or written again, differs
/// in at least one of them.
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, long Length, long ModifiedNanoseconds)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"device {Device:x}, inode {Inode}, {Length} bytes, modified {DateTime.UnixEpoch.AddTicks(ModifiedNanoseconds / 100):yyyy-MM-dd HH:mm:ss.fffffff} UTC");
}
