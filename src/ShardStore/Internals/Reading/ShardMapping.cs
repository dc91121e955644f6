using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;

namespace ShardStore.Internals.Reading;

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

    /// <summary>
    /// Gets the open file the mapping was made from; it stays open as long as the mapping, so positioned reads through
    /// it see the same file (even after the path was replaced).
    /// </summary>
    public SafeFileHandle Handle => _handle;

    /// <summary>Maps the whole of an open file of <paramref name="length"/> bytes (> 0), taking ownership of the handle.</summary>
    public static ShardMapping Create(SafeFileHandle handle, long length)
    {
        MemoryMappedFile? file = null;
        try
        {
            file = MemoryMappedFile.CreateFromFile(handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            return new ShardMapping(file, handle, file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read), length);
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

    /// <summary>Returns bytes of the file; the caller has checked the range against <see cref="Length"/>.</summary>
    public ReadOnlySpan<byte> Slice(long offset, int length) => new(_pointer + offset, length);

    public byte* Pointer => _pointer;


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
