using Microsoft.Win32.SafeHandles;
using ShardStore.Internals.Publishing;

namespace ShardStore.Tests.Infrastructure;

/// <summary>The real file system, counting every mutating call and failing the one numbered <c>failAt</c> (1-based; 0 never fails).</summary>
internal sealed class FaultInjectingFileSystem(int failAt, bool exchangeSupported = true) : IWriterFileSystem
{
    private readonly PhysicalWriterFileSystem _inner = PhysicalWriterFileSystem.Instance;
    private readonly List<string> _log = [];
    private int _calls;

    /// <summary>Gets the number of calls made so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Gets the operation that was made to fail, or null.</summary>
    public string? FailedOperation { get; private set; }

    /// <summary>Gets every call so far, "N operation path", in the order they were counted.</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    public void CreateDirectory(string path)
    {
        Step("create-directory", path);
        _inner.CreateDirectory(path);
    }

    public SafeFileHandle CreateFile(string path)
    {
        Step("create-file", path);
        return _inner.CreateFile(path);
    }

    public void Write(SafeFileHandle file, ReadOnlySpan<byte> bytes, long offset)
    {
        Step("write", $"{bytes.Length} bytes at {offset}");
        _inner.Write(file, bytes, offset);
    }

    public void FlushFile(SafeFileHandle file)
    {
        Step("flush-file", "");
        _inner.FlushFile(file);
    }

    public void FlushDirectory(string path)
    {
        Step("flush-directory", path);
        _inner.FlushDirectory(path);
    }

    public void MoveFile(string source, string destination)
    {
        Step("move-file", source);
        _inner.MoveFile(source, destination);
    }

    public void ReplaceFile(string source, string destination)
    {
        Step("replace-file", source);
        _inner.ReplaceFile(source, destination);
    }

    public void MoveDirectory(string source, string destination)
    {
        Step("move-directory", $"{source} -> {destination}");
        _inner.MoveDirectory(source, destination);
    }

    public bool TryExchangeDirectories(string first, string second)
    {
        Step("exchange", $"{first} <-> {second}");
        return exchangeSupported && _inner.TryExchangeDirectories(first, second);
    }

    public void DeleteFile(string path)
    {
        Step("delete-file", path);
        _inner.DeleteFile(path);
    }

    public void DeleteDirectory(string path)
    {
        Step("delete-directory", path);
        _inner.DeleteDirectory(path);
    }

    private void Step(string operation, string what)
    {
        int call = Interlocked.Increment(ref _calls);
        lock (_log)
        {
            _log.Add($"{call} {operation} {what}");
        }

        if (call == failAt)
        {
            FailedOperation = operation;
            throw new IOException($"injected failure in call {call} ({operation})");
        }
    }
}
