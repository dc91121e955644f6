using System.CommandLine;
using ShardPack;

namespace ShardStore.Runner.Cli;

/// <summary>
/// The runner's command line: one root command whose options are grouped by concern (what runs, how datasets are packed
/// and streamed, sizes, the matrix, storage), read into <see cref="RunnerOptions"/>. Usage errors exit with
/// <see cref="ExitCodes.InvalidArguments"/>, as in shardpack.
/// </summary>
internal sealed class RunnerCommand
{
    private const string Description =
        """
        ShardStore throughput runner. Without a mode option it runs the main job: generates an MNIST-like dataset (784 float32 + int64
        label per sample), packs it, streams it with ShardLoader on all cores, and reports throughput against what bounds the codec,
        measured in the same run (memcpy of the same bytes for --codec none, the native library's decode of the same chunks otherwise).
        The benchmark modes (--matrix, --quick, --naive, --out-of-core) report every figure as a ratio to a baseline measured in the
        same run on the same bytes.

        Cold-cache figures drop the page cache first: as root on Linux through /proc/sys/vm/drop_caches (after sync), otherwise with
        posix_fadvise(POSIX_FADV_DONTNEED) on each file; elsewhere they are skipped, saying why. Peak RSS (VmHWM, reset per scenario)
        and peak anonymous RSS (RssAnon sampled every 10 ms) need Linux. A full run (--matrix) took 533 s on two cores and 23 GiB:
        about 100 s, then about 7 minutes for the out-of-core part, which generates six times the RAM in raw samples (lz4 packs them
        into 1.5x RAM) and reads 1.5x RAM twice from disk; apart from it, the run needs about 1.5 GB of disk and 200000 small files.
        Datasets are deleted as soon as they are measured, also on Ctrl+C. Run it on an otherwise idle machine.
        """;

    private readonly ModeOptions _modes = new();
    private readonly LoaderOptions _loader = new();
    private readonly SizeOptions _sizes = new();
    private readonly MatrixOptions _matrix = new();
    private readonly StorageOptions _storage = new();

    /// <summary>Initializes the root command with every option and no action.</summary>
    public RunnerCommand()
    {
        Root = new RootCommand(Description);
        foreach (Option option in _modes.All.Concat(_loader.All).Concat(_sizes.All).Concat(_matrix.All).Concat(_storage.All))
        {
            Root.Options.Add(option);
        }
    }

    /// <summary>Gets the root command, with every option of the runner.</summary>
    public RootCommand Root { get; }

    /// <summary>Parses <paramref name="args"/> and runs <paramref name="run"/> with the options, or prints help or the usage error.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where help goes.</param>
    /// <param name="error">Where usage errors go, one line each.</param>
    /// <param name="run">Runs what the options ask for and returns the exit code.</param>
    /// <returns>The exit code of <paramref name="run"/>; 0 after help; <see cref="ExitCodes.InvalidArguments"/> for a usage error.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error, Func<RunnerOptions, int> run)
    {
        var command = new RunnerCommand();
        command.Root.SetAction(result =>
        {
            RunnerOptions options;
            try
            {
                options = command.Read(result);
            }
            catch (UsageException e)
            {
                error.WriteLine($"error: {e.Message}");
                return ExitCodes.InvalidArguments;
            }

            return run(options);
        });
        ParseResult parsed = command.Root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError e in parsed.Errors)
            {
                error.WriteLine($"error: {e.Message}");
            }

            error.WriteLine("Run with --help for the options.");
            return ExitCodes.InvalidArguments;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
    }

    /// <summary>Parses <paramref name="args"/> into options without running anything.</summary>
    /// <exception cref="UsageException">The command line is wrong; the message names the option.</exception>
    public static RunnerOptions Parse(params string[] args)
    {
        var command = new RunnerCommand();
        ParseResult parsed = command.Root.Parse(args);
        return parsed.Errors.Count > 0
            ? throw new UsageException(string.Join(" ", parsed.Errors.Select(e => e.Message)))
            : command.Read(parsed);
    }

    /// <summary>Reads a parse result without errors into options, and checks the options that exclude each other.</summary>
    /// <exception cref="UsageException">A value is wrong or options contradict each other.</exception>
    public RunnerOptions Read(ParseResult result)
    {
        var options = new RunnerOptions();
        options = _modes.Read(result, options);
        options = _loader.Read(result, options);
        options = _sizes.Read(result, options);
        options = _matrix.Read(result, options);
        options = _storage.Read(result, options);
        if (options.IsBenchmark && (options.Goals || options.Device is not null))
        {
            throw new UsageException("--goals and --device are modes of their own; run them without --matrix, --quick, --naive or --out-of-core.");
        }

        if (options.IsBenchmark && !(options.RunsMatrix || options.RunsNaive || options.RunsOutOfCore))
        {
            throw new UsageException("--skip leaves nothing to run.");
        }

        if (options.JsonPath is not null && !options.IsBenchmark)
        {
            throw new UsageException("--json writes the results of --matrix, --quick, --naive or --out-of-core; give one of them.");
        }

        return options;
    }
}
