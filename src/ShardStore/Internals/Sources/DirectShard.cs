using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using ShardStore.Format;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Reading;
using static ShardStore.Interop.Interop;

namespace ShardStore.Internals.Sources;

/// <summary>
/// A shard file read with positioned reads only, never mapped, so no read can fault. With a second handle opened
/// <c>O_DIRECT</c> (<see cref="ShardDatasetOptions.DirectIo"/>), reads bypass the page cache: they are widened to
/// whole 4 KiB blocks and go through an aligned bounce buffer, and planned chunks are read ahead by the dataset's
/// <see cref="LocalReadAhead"/> (the kernel reads nothing ahead of such reads). Without it, hints become
/// <c>posix_fadvise</c>, so the kernel reads planned chunks ahead and drops consumed ones.
/// </summary>
internal sealed class DirectShard(string path, int shard, SafeFileHandle handle, SafeFileHandle? direct, LocalReadAhead? readAhead, FileIdentity identity) : OpenShard(path, identity.Length)
{
    private const int Block = 4096;

    /// <summary>Gets whether reads bypass the page cache.</summary>
    public bool IsDirectIo => direct is not null;

    /// <summary>Opens <paramref name="path"/> again with <c>O_DIRECT</c>; null where the platform or file system refuses it (tmpfs does).</summary>
    public static SafeFileHandle? TryOpenDirect(string path)
    {
        if (!OperatingSystem.IsLinux() || ODirect == 0)
        {
            return null;
        }

        int fd;
        try
        {
            fd = Open(path, ORdOnly | ODirect | OCloExec);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    public override int Read(long offset, Span<byte> destination) =>
        direct is null ? RandomAccess.Read(handle, destination, offset) : ReadDirect(direct, offset, destination);

    public override int ReadChunk(int chunk, ChunkEntry entry, Span<byte> destination, out bool fromCache)
    {
        if (direct is not null && readAhead?.TryTake(shard, chunk, destination) == true)
        {
            fromCache = false;
            return destination.Length;
        }

        return base.ReadChunk(chunk, entry, destination, out fromCache);
    }

    public override bool TryBorrowChunk(int chunk, out BorrowedChunk borrowed)
    {
        borrowed = default;
        return direct is not null && readAhead is not null && readAhead.TryBorrow(shard, chunk, out borrowed);
    }

    public override void ReadAhead(IReadOnlyList<(int Chunk, ChunkEntry Entry)> chunks)
    {
        if (direct is not null && readAhead is not null)
        {
            readAhead.Start(this, shard, chunks);
        }
        else
        {
            base.ReadAhead(chunks);
        }
    }

    /// <summary>
    /// Reads from a block-aligned <paramref name="offset"/> into <paramref name="destination"/> (aligned, a whole number
    /// of blocks long) bypassing the page cache, as far as the shard goes; returns how many bytes it read.
    /// </summary>
    public int ReadDirectInto(long offset, Span<byte> destination)
    {
        SafeFileHandle file = direct ?? handle;
        int done = 0;
        while (done < destination.Length)
        {
            int read = RandomAccess.Read(file, destination[done..], offset + done);
            done += read;

            // The end of the file: direct reads return whole blocks until then.
            if (read == 0 || read % Block != 0)
            {
                break;
            }
        }

        return done;
    }

    public override string? DescribeChange()
    {
        FileIdentity now = RegularFile.GetIdentity(handle);
        return now == identity ? null : $"it was {identity} at open, now {now}";
    }

    public override void Advise(int chunk, ChunkEntry entry, MemoryAdvice advice)
    {
        if (direct is not null || !OperatingSystem.IsLinux())
        {
            return;
        }

        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            _ = PosixFadvise((int)handle.DangerousGetHandle(), entry.Offset, entry.StoredSize, advice == MemoryAdvice.WillNeed ? FadvWillNeed : FadvDontNeed);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Only speed depends on the hint.
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    protected override void Close()
    {
        direct?.Dispose();
        handle.Dispose();
    }

    // O_DIRECT wants the file offset, the length and the memory address aligned to the block size.
    private static unsafe int ReadDirect(SafeFileHandle file, long offset, Span<byte> destination)
    {
        long start = offset & ~(long)(Block - 1);
        int lead = (int)(offset - start);
        int length = (int)Math.Min(BounceBytes, ((lead + (long)destination.Length + Block - 1) / Block) * Block);
        byte* bounce = RentBounce();
        try
        {
            int read = RandomAccess.Read(file, new Span<byte>(bounce, length), start);
            int useful = Math.Min(Math.Max(read - lead, 0), destination.Length);
            new ReadOnlySpan<byte>(bounce + lead, useful).CopyTo(destination);
            return useful;
        }
        finally
        {
            ReturnBounce(bounce);
        }
    }

    private const int BounceBytes = 8 << 20;

    // One bounce buffer per thread at most, kept while the thread reads; freed when a thread returns a second one.
    [ThreadStatic]
    private static nint s_threadBounce;

    private static unsafe byte* RentBounce()
    {
        nint kept = s_threadBounce;
        s_threadBounce = 0;
        return kept != 0 ? (byte*)kept : (byte*)NativeMemory.AlignedAlloc(BounceBytes, Block);
    }

    private static unsafe void ReturnBounce(byte* buffer)
    {
        if (s_threadBounce == 0)
        {
            s_threadBounce = (nint)buffer;
        }
        else
        {
            NativeMemory.AlignedFree(buffer);
        }
    }
}
