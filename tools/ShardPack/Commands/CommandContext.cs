namespace ShardPack.Commands;

/// <summary>Where a command writes, what cancels it, and the one place that turns failures into exit codes.</summary>
/// <param name="output">Standard output.</param>
/// <param name="error">Standard error: one line per failure.</param>
/// <param name="interruption">Cancels the command on SIGINT or SIGTERM; null when nothing does.</param>
/// <param name="debug">Print the full stack trace of an internal error (SHARDSTORE_DEBUG=1).</param>
internal sealed class CommandContext(TextWriter output, TextWriter error, Interruption? interruption = null, bool debug = false)
{
    public TextWriter Output => output;

    public TextWriter Error => error;

    /// <summary>
    /// Gets or sets what an interrupted command leaves behind, as the interruption message says it; by default nothing
    /// (a pack publishes nothing until it completes). A command that keeps finished work for a rerun says so.
    /// </summary>
    public string InterruptionLeaves { get; set; } = "left no partial output";

    /// <summary>Gets the token a command passes to every long operation; cancelled by SIGINT or SIGTERM.</summary>
    public CancellationToken CancellationToken => interruption?.Token ?? CancellationToken.None;

    /// <summary>Runs <paramref name="action"/> and returns its exit code, or the code of the failure it ends in (see <see cref="ExitCodes"/>), printing one line.</summary>
    public int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e)
        {
            return Report(e);
        }
    }

    /// <summary>Prints one line for <paramref name="failure"/> (and its stack trace when it is an internal error in debug mode) and returns its exit code.</summary>
    public int Report(Exception failure)
    {
        if (interruption?.Signal is not null && FailureReport.IsCancellation(failure))
        {
            error.WriteLine($"error: interrupted by {interruption.SignalName}; stopped cleanly and {InterruptionLeaves}.");
            return interruption.ExitCode;
        }

        (int code, string message) = FailureReport.Describe(failure);
        error.WriteLine($"error: {message}");
        if (code == ExitCodes.InternalError && debug)
        {
            error.WriteLine(failure.ToString());
        }

        return code;
    }
}
