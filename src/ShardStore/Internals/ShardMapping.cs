using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;

namespace ShardStore.Internals;

/// <summary>A read-only mapping of a whole shard file, reference counted so leases keep it alive after eviction.</summary>
internal sealed unsafe class ShardMapping
{
    private readonly MemoryMappedFile _file;
    private readonly SafeFileHandle _handle;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _pointer;
    private int _references = 1;

    private ShardMapping(MemoryMappedFile file, SafeFileHandle handle, MemoryMappedViewAccessor view, long length)
    {
        _file = file;
        _handle = handle;
        _view = view;
        Length = length;
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        // Views start on a page boundary; PointerOffset is where the requested offset 0 lies within it.
        _pointer = p + view.PointerOffset;
    }

    public long Length { get; }

    /// <summary>Maps <paramref name="path"/>; the file must be exactly <paramref name="expectedLength"/> bytes.</summary>
    /// <returns>The mapping, or null with <paramref name="actualLength"/> set when the length differs.</returns>
    public static ShardMapping? Open(string path, long expectedLength, out long actualLength)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 1, FileOptions.RandomAccess);
        try
        {
            actualLength = stream.Length;
            if (actualLength != expectedLength || actualLength == 0)
            {
                stream.Dispose();
                return null;
            }

            MemoryMappedFile file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            try
            {
                return new ShardMapping(file, stream.SafeFileHandle, file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read), actualLength);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Gets the file's length now. Touching a mapped page past the end of a file that another process truncated
    /// kills the process (SIGBUS), so readers check the range against this before they touch it.
    /// </summary>
    public long CurrentLength => RandomAccess.GetLength(_handle);

    /// <summary>Returns bytes of the file; the caller has checked the range against <see cref="Length"/>.</summary>
    public ReadOnlySpan<byte> Slice(long offset, int length) => new(_pointer + offset, length);

    public byte* Pointer => _pointer;

    /// <summary>Gets the open file, for positioned reads that copy bytes instead of touching the mapping.</summary>
    public SafeFileHandle Handle => _handle;

    public void AddReference() => Interlocked.Increment(ref _references);

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _file.Dispose();
        }
    }
}
