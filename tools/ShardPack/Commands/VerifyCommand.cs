using System.CommandLine;

namespace ShardPack.Commands;

/// <summary><c>shardpack verify</c>: checks every checksum and structural invariant of a dataset.</summary>
internal static class VerifyCommand
{
    public static Command Create(CommandContext context)
    {
        var source = new DatasetSource();
        var command = new Command("verify", "Check every checksum and structural invariant; exit 3 naming each bad shard and chunk.");
        source.AddTo(command);
        command.SetAction(r => context.Guard(() =>
        {
            using ShardDataset ds = source.Open(r);
            IReadOnlyList<InvalidDataException> problems = ds.Verify(context.CancellationToken);
            foreach (InvalidDataException p in problems)
            {
                context.Error.WriteLine($"error: {p.Message}");
            }

            if (problems.Count > 0)
            {
                context.Error.WriteLine($"{problems.Count} of {ds.ChunkCount} chunks are bad.");
                return ExitCodes.BadData;
            }

            context.Output.WriteLine($"ok: {HumanUnits.Count(ds.SampleCount, "sample")} in {HumanUnits.Count(ds.Shards.Count, "shard")} and {HumanUnits.Count(ds.ChunkCount, "chunk")}; every checksum and structure verified.");
            return ExitCodes.Success;
        }));
        return command;
    }
}
