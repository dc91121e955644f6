using System.CommandLine;

namespace ShardPack.Commands;

/// <summary>Commands that live beside the core four (export and order); each adds one line here.</summary>
internal static class ExtraCommands
{
    public static IEnumerable<Command> Create(CommandContext context)
    {
        _ = context;
        return
        [
            // One line per command: ExportCommand.Create(context),
            ExportCommand.Create(context),
            OrderCommand.Create(context),
        ];
    }
}
