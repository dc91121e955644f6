using System.CommandLine;
using ShardPack.Commands;

namespace ShardPack;

/// <summary>The shardpack command line: parses, runs one command, and maps failures to exit codes.</summary>
internal static class ShardPackApp
{
    /// <summary>Environment variable that, set to 1, adds the stack trace to the message of an internal error.</summary>
    public const string DebugVariable = "SHARDSTORE_DEBUG";

    /// <summary>Runs shardpack with <paramref name="args"/>, writing to the given streams; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="interruption">Cancels the command on SIGINT or SIGTERM; null when nothing does.</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, Interruption? interruption = null)
    {
        var context = new CommandContext(output, error, interruption, Environment.GetEnvironmentVariable(DebugVariable) == "1");
        try
        {
            return Run(args, context);
        }
        catch (Exception e)
        {
            // Commands report their own failures; this catches what fails around them (parsing, help, the console).
            return context.Report(e);
        }
    }

    /// <summary>Creates the root command with every shardpack command, each running in <paramref name="context"/>.</summary>
    public static RootCommand CreateRoot(CommandContext context)
    {
        var root = new RootCommand("shardpack: pack raw data into ShardStore datasets, and inspect, verify and export them.");
        root.Subcommands.Add(PackCommand.Create(context));
        root.Subcommands.Add(InfoCommand.Create(context));
        root.Subcommands.Add(VerifyCommand.Create(context));
        root.Subcommands.Add(CatCommand.Create(context));
        root.Subcommands.Add(ExportCommand.Create(context));
        root.Subcommands.Add(OrderCommand.Create(context));
        root.Subcommands.Add(SyncCommand.Create(context));
        return root;
    }

    private static int Run(string[] args, CommandContext context)
    {
        TextWriter output = context.Output, error = context.Error;
        ParseResult parsed = CreateRoot(context).Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError e in parsed.Errors)
            {
                error.WriteLine(e.Message);
            }

            error.WriteLine("Run 'shardpack --help' or 'shardpack COMMAND --help' for usage.");
            return ExitCodes.InvalidArguments;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
    }
}
