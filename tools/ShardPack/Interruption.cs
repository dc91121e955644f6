using System.Runtime.InteropServices;

namespace ShardPack;

/// <summary>
/// Turns SIGINT and SIGTERM into cancellation: the first signal cancels <see cref="Token"/> and keeps the runtime from
/// ending the process, so the command can clean up and exit with <see cref="ExitCode"/>; a second signal ends the
/// process at once, as a user pressing Ctrl+C twice expects.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signal;

    /// <summary>Gets the token cancelled by the first signal.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Gets the signal that cancelled <see cref="Token"/>, if any.</summary>
    public PosixSignal? Signal => Volatile.Read(ref _signal) is var s and not 0 ? (PosixSignal)s : null;

    /// <summary>Gets the exit code that reports the signal: 130 for SIGINT, 143 for SIGTERM.</summary>
    public int ExitCode => Signal == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted;

    /// <summary>Gets the signal's name, e.g. SIGINT.</summary>
    public string SignalName => Signal == PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT";

    /// <summary>Handles SIGINT and SIGTERM for this process until disposed.</summary>
    public static Interruption ForProcess()
    {
        var interruption = new Interruption();
        foreach (PosixSignal signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            try
            {
                interruption._registrations.Add(PosixSignalRegistration.Create(signal, context => context.Cancel = interruption.Request(context.Signal)));
            }
            catch (PlatformNotSupportedException)
            {
                // Where the signal does not exist the runtime's default stays; nothing to cancel on.
            }
        }

        return interruption;
    }

    /// <summary>Records <paramref name="signal"/> and cancels <see cref="Token"/>; returns false when a signal came before, so the caller lets the process end.</summary>
    public bool Request(PosixSignal signal)
    {
        if (Interlocked.CompareExchange(ref _signal, (int)signal, 0) != 0)
        {
            return false;
        }

        _source.Cancel();
        return true;
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration r in _registrations)
        {
            r.Dispose();
        }

        _source.Dispose();
    }
}
