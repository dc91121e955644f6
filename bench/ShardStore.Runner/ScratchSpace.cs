using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ShardStore.Runner;

/// <summary>
/// The directory the runner writes its datasets into, and the guarantee that they are deleted: when a part is done
/// with one, at the end, and on Ctrl+C or SIGTERM. The first signal cancels <see cref="Token"/>, so the work stops at
/// the next sample, batch or read and the normal clean-up runs; a second one deletes at once and ends the process.
/// </summary>
internal sealed class ScratchSpace : IDisposable
{
    private readonly bool _ownsRoot;
    private readonly CancellationTokenSource _cancel = new();
    private readonly ConcurrentDictionary<string, bool> _created = new(StringComparer.Ordinal);
    private readonly PosixSignalRegistration? _sigterm;
    private int _disposed;

    public ScratchSpace(string? directory)
    {
        _ownsRoot = directory is null;
        Root = Path.GetFullPath(directory ?? Path.Combine(Path.GetTempPath(), "shardstore-runner-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture)));
        Console.CancelKeyPress += OnCancelKeyPress;
        if (!OperatingSystem.IsWindows())
        {
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSigterm);
        }
    }

    public string Root { get; }

    /// <summary>Gets the token cancelled by the first Ctrl+C or SIGTERM.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>Returns the path of a directory for <paramref name="name"/> under the root, to be deleted by <see cref="Delete"/> or at the end.</summary>
    public string Reserve(string name)
    {
        string path = Path.Combine(Root, name);
        _created[path] = true;
        return path;
    }

    /// <summary>Deletes a reserved directory and anything a writer left beside it.</summary>
    public void Delete(string path)
    {
        DeleteTree(path);
        _created.TryRemove(path, out _);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Console.CancelKeyPress -= OnCancelKeyPress;
        _sigterm?.Dispose();
        DeleteAll();
        _cancel.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e) => e.Cancel = OnSignal();

    private void OnSigterm(PosixSignalContext context) => context.Cancel = OnSignal();

    // Returns whether the process should go on (to clean up in order) rather than end now.
    private bool OnSignal()
    {
        if (!_cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("Stopping; the datasets written so far are being deleted (press Ctrl+C again to delete them now and quit).");
            _cancel.Cancel();
            return true;
        }

        DeleteAll();
        return false;
    }

    private void DeleteAll()
    {
        foreach (string path in _created.Keys)
        {
            Delete(path);
        }

        if (_ownsRoot)
        {
            DeleteTree(Root);
        }
    }

    private static void DeleteTree(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }

            // A writer stages a dataset in a hidden sibling until it is complete.
            string? parent = Path.GetDirectoryName(path);
            if (parent is not null && Directory.Exists(parent))
            {
                foreach (string staging in Directory.EnumerateDirectories(parent, "." + Path.GetFileName(path) + ".partial-*"))
                {
                    Directory.Delete(staging, recursive: true);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Could not delete {path}: {e.Message}");
        }
    }
}
