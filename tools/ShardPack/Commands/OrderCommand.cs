using System.CommandLine;
using System.Globalization;

namespace ShardPack.Commands;

/// <summary>
/// <c>shardpack order DATASET --order O --seed S --epoch E [--rank r --world-size R]</c>: prints the global sample
/// indices in the order that rank reads them, from the same plan the loader follows, without reading any data; with
/// <c>--ledger STATE...</c>, checks the ledgers of a run's loader states against that plan.
/// </summary>
internal static class OrderCommand
{
    public static Command Create(CommandContext context)
    {
        var source = new DatasetSource();
        Option<string> order = SharedOptions.Order();
        var seed = new Option<ulong>("--seed") { Description = "Shuffle seed.", DefaultValueFactory = _ => 0 };
        var epoch = new Option<int>("--epoch") { Description = "Epoch, from 0.", DefaultValueFactory = _ => 0 };
        var rank = new Option<int>("--rank") { Description = "This rank, from 0.", DefaultValueFactory = _ => 0 };
        var worldSize = new Option<int>("--world-size") { Description = "Number of ranks.", DefaultValueFactory = _ => 1 };
        Option<int> batchSize = SharedOptions.BatchSize();
        var window = new Option<int>("--window-chunks") { Description = "Chunks per shuffle window in window order.", DefaultValueFactory = _ => 8 };
        var partitions = new Option<int>("--partitions") { Description = "Logical partitions the global order is built from.", DefaultValueFactory = _ => 1 };
        var dropLast = new Option<bool>("--drop-last") { Description = "Drop the samples that do not fill a batch on every rank." };
        var batches = new Option<bool>("--batches") { Description = "Print one batch per line (indices separated by spaces) instead of one index per line." };
        var ledger = new Option<string[]>("--ledger")
        {
            HelpName = "STATE_FILE",
            Description = "Check the ledgers of these saved loader states (every rank's, at an epoch end or any point; ShardLoaderOptions.Ledger) against the plan (of DATASET, or of the --mix streams or the --split the run read), with their order options: prints OK, or what was missed or repeated (exit 3).",
            AllowMultipleArgumentsPerToken = true,
        };
        var pieces = new Option<string>("--window-piece-samples") { Description = "Window order: deal each chunk over several windows in pieces of this many samples (0, the default: chosen from the mean sample size, about 64 KiB; 'whole': whole-chunk windows, the order before pieces).", DefaultValueFactory = _ => "0" };
        var stats = new Option<bool>("--stats") { Description = "Print shuffle-quality figures per epoch instead of indices: distinct source chunks (and label values) per batch." };
        var labelField = new Option<string?>("--label-field") { Description = "With --stats: a scalar field (a class index) whose distinct values per batch are counted; reads that field once." };
        Option<int> epochs = SharedOptions.Epochs("With --stats: how many epochs from --epoch to measure.", defaultValue: 1);
        var command = new Command("order", "Print the global sample indices in the order a rank reads them in an epoch (the loader's plan; no data is read).")
        {
            order, seed, epoch, rank, worldSize, batchSize, window, partitions, dropLast, batches, pieces, stats, labelField, epochs, ledger,
        };
        source.AddTo(command);
        var mixture = new OrderMixture();
        mixture.AddTo(command, source);
        command.SetAction(r => context.Guard(() =>
        {
            if (r.GetValue(ledger) is { Length: > 0 } states)
            {
                return mixture.Handles(r, source)
                    ? mixture.CheckLedger(r, context, source, states)
                    : LedgerCheck.Run(context, states, run => new DatasetLedgerPlan(r.GetValue(source.Dataset)!, source.GetOptions(r), run));
            }

            var options = new ShardLoaderOptions
            {
                Order = SharedOptions.GetOrder(r, order),
                Seed = r.GetValue(seed),
                Rank = r.GetValue(rank),
                WorldSize = r.GetValue(worldSize),
                BatchSize = SharedOptions.GetBatchSize(r, batchSize),
                WindowChunks = r.GetValue(window),
                LogicalPartitions = r.GetValue(partitions),
                DropLast = r.GetValue(dropLast),
                WindowPieceSamples = ParsePieces(r.GetValue(pieces)!),
            };
            if (!r.GetValue(stats) && (r.GetValue(labelField) is not null || r.GetResult(epochs) is { Implicit: false }))
            {
                throw new UsageException("--label-field and --epochs go with --stats.");
            }

            if (mixture.Handles(r, source))
            {
                return mixture.Run(r, context, source, options, r.GetValue(epoch), r.GetValue(batches));
            }

            using ShardDataset dataset = source.Open(r);
            if (r.GetValue(stats))
            {
                OrderStatsReport.Write(dataset, options, r.GetValue(epoch), r.GetValue(epochs), r.GetValue(labelField), context.Output, context.CancellationToken);
                return ExitCodes.Success;
            }

            IEnumerable<long[]> plan;
            try
            {
                plan = ShardLoader.PlanEpoch(dataset, options, r.GetValue(epoch));
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }

            bool perBatch = r.GetValue(batches);
            TextWriter output = context.Output;
            foreach (long[] batch in plan)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (perBatch)
                {
                    output.WriteLine(string.Join(' ', batch.Select(i => i.ToString(CultureInfo.InvariantCulture))));
                    continue;
                }

                foreach (long index in batch)
                {
                    output.WriteLine(index.ToString(CultureInfo.InvariantCulture));
                }
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    // --window-piece-samples: a whole number of samples (0: automatic), or "whole" for whole-chunk windows.
    private static int? ParsePieces(string value) =>
        value.Equals("whole", StringComparison.OrdinalIgnoreCase) ? null
        : int.TryParse(value, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out int count) ? count
        : throw new UsageException($"--window-piece-samples '{value}': use a whole number of samples (0: chosen from the sample size) or 'whole' for whole-chunk windows.");
}