namespace ShardStore.Internals.Publishing;

/// <summary>
/// Switches read once from the environment that let crash tests stop a writer at a chosen step of publishing
/// and kill it there, or force the two-rename protocol that systems without an atomic exchange use.
/// Without the variables they do nothing.
/// </summary>
internal static class PublishTestHooks
{
    /// <summary>Names the step to stop at; the writer prints a line to standard error and sleeps until killed.</summary>
    public const string PauseVariable = "SHARDSTORE_TEST_PAUSE_AT";

    /// <summary>When "1", publishing never uses the atomic exchange.</summary>
    public const string NoExchangeVariable = "SHARDSTORE_TEST_NO_EXCHANGE";

    private static readonly string? s_pauseAt = Environment.GetEnvironmentVariable(PauseVariable);

    public static bool ExchangeDisabled { get; } = Environment.GetEnvironmentVariable(NoExchangeVariable) == "1";

    /// <summary>Stops here for good when <see cref="PauseVariable"/> names <paramref name="step"/>.</summary>
    public static void PauseAt(string step)
    {
        if (s_pauseAt is null || !string.Equals(s_pauseAt, step, StringComparison.Ordinal))
        {
            return;
        }

        Console.Error.WriteLine($"{PauseVariable}: paused at {step}");
        Console.Error.Flush();
        Thread.Sleep(Timeout.Infinite);
    }
}
