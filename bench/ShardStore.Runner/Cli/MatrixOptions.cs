using System.CommandLine;
using ShardPack;
using ShardPack.Commands;

namespace ShardStore.Runner.Cli;

/// <summary>The runner's options that narrow the benchmark matrix: which datasets, codecs and orders it crosses.</summary>
internal sealed class MatrixOptions
{
    /// <summary>Gets <c>--datasets</c>.</summary>
    public Option<string?> Datasets { get; } = new("--datasets")
    {
        HelpName = "LIST",
        Description = "Comma-separated datasets of the matrix: mnist (784 float32 + int64 label), image (about 150 KB of RGB bytes, variable "
            + "length, + int64 label); default both. Each is packed with each codec and streamed in each order; --size sets each dataset's "
            + "raw size, --samples the MNIST-like count, --image-samples the image-like count.",
    };

    /// <summary>Gets <c>--codecs</c>.</summary>
    public Option<string?> Codecs { get; } = new("--codecs")
    {
        HelpName = "LIST",
        Description = "Comma-separated codecs of the matrix (default none,lz4,lz4hc,zstd).",
    };

    /// <summary>Gets <c>--orders</c>.</summary>
    public Option<string?> Orders { get; } = new("--orders")
    {
        HelpName = "LIST",
        Description = "Comma-separated orders of the matrix (default sequential,window,random).",
    };

    /// <summary>Gets the options, in the order help lists them.</summary>
    public IEnumerable<Option> All => [Datasets, Codecs, Orders];

    /// <summary>Reads these options into <paramref name="options"/>.</summary>
    /// <exception cref="UsageException">A list is empty or names something unknown; the message names the option.</exception>
    public RunnerOptions Read(ParseResult result, RunnerOptions options) => options with
    {
        Datasets = result.GetValue(Datasets) is { } datasets ? OptionLists.Parse(datasets, Datasets.Name, ParseDataset) : options.Datasets,
        Codecs = result.GetValue(Codecs) is { } codecs ? OptionLists.Parse(codecs, Codecs.Name, c => SharedOptions.ParseCodec(c, Codecs.Name)) : options.Codecs,
        Orders = result.GetValue(Orders) is { } orders ? OptionLists.Parse(orders, Orders.Name, o => SharedOptions.ParseOrder(o, Orders.Name)) : options.Orders,
    };

    private static SyntheticDataset ParseDataset(string name) =>
        RunnerOptions.AllDatasets.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new UsageException($"--datasets '{name}': use {string.Join(" or ", RunnerOptions.AllDatasets.Select(d => d.Name))}.");
}
