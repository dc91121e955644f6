namespace ShardPack.Commands;

/// <summary>Where a command writes, and the one place that turns failures into exit codes.</summary>
internal sealed class CommandContext(TextWriter output, TextWriter error)
{
    public TextWriter Output => output;

    public TextWriter Error => error;

    /// <summary>Runs <paramref name="action"/>: bad data is exit 3 with its message, a wrong command line exit 2.</summary>
    public int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (InvalidDataException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadData;
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidArguments;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidArguments;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
