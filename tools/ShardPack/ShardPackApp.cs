using System.CommandLine;
using ShardPack.Commands;

namespace ShardPack;

/// <summary>The shardpack command line: parses, runs one command, and maps failures to exit codes.</summary>
internal static class ShardPackApp
{
    /// <summary>Runs shardpack with <paramref name="args"/>, writing to the given streams; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var context = new CommandContext(output, error);
        var root = new RootCommand("shardpack: pack raw data into ShardStore datasets, and inspect, verify and export them.");
        root.Subcommands.Add(PackCommand.Create(context));
        root.Subcommands.Add(InfoCommand.Create(context));
        root.Subcommands.Add(VerifyCommand.Create(context));
        root.Subcommands.Add(CatCommand.Create(context));
        foreach (Command extra in ExtraCommands.Create(context))
        {
            root.Subcommands.Add(extra);
        }

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError e in parsed.Errors)
            {
                error.WriteLine(e.Message);
            }

            error.WriteLine("Run 'shardpack --help' or 'shardpack COMMAND --help' for usage.");
            return ExitCodes.InvalidArguments;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }
}
