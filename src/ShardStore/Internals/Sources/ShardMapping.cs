using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;
using ShardStore.Format;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Sources;

/// <summary>A read-only mapping of a whole shard file: the source of zero-copy chunk leases.</summary>
internal sealed unsafe class ShardMapping : OpenShard
{
    private readonly MemoryMappedFile _file;
    private readonly SafeFileHandle _handle;
    private readonly MemoryMappedViewAccessor _view;
    private readonly FileIdentity _identity;
    private readonly byte* _pointer;

    private ShardMapping(string path, MemoryMappedFile file, SafeFileHandle handle, MemoryMappedViewAccessor view, FileIdentity identity)
        : base(path, identity.Length)
    {
        _file = file;
        _handle = handle;
        _view = view;
        _identity = identity;
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        // Views start on a page boundary; PointerOffset is where the requested offset 0 lies within it.
        _pointer = p + view.PointerOffset;
    }

    /// <summary>Maps the whole of an open file (longer than 0 bytes) that has <paramref name="identity"/>, taking ownership of the handle.</summary>
    public static ShardMapping Create(string path, SafeFileHandle handle, FileIdentity identity)
    {
        MemoryMappedFile? file = null;
        try
        {
            file = MemoryMappedFile.CreateFromFile(handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            return new ShardMapping(path, file, handle, file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read), identity);
        }
        catch
        {
            if (file is null)
            {
                handle.Dispose();
            }
            else
            {
                file.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Gets the file's length now. Touching a mapped page past the end of a file that another process truncated
    /// kills the process (SIGBUS), so readers check the range against this before they touch it.
    /// </summary>
    public long CurrentLength => RandomAccess.GetLength(_handle);

    public byte* Pointer => _pointer;

    /// <summary>Returns bytes of the file; the caller has checked the range against <see cref="CurrentLength"/>.</summary>
    public ReadOnlySpan<byte> Slice(long offset, int length) => new(_pointer + offset, length);

    // Positioned reads go through the open file, never the mapping: a file truncated meanwhile gives a short read, not a fault.
    public override int Read(long offset, Span<byte> destination) => RandomAccess.Read(_handle, destination, offset);

    public override string? DescribeChange()
    {
        FileIdentity now = RegularFile.GetIdentity(_handle);
        return now == _identity ? null : $"it was {_identity} at open, now {now}";
    }

    public override void Advise(int chunk, ChunkEntry entry, MemoryAdvice advice) =>
        MemoryHints.Advise(_pointer + entry.Offset, entry.StoredSize, advice);

    protected override void Close()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
