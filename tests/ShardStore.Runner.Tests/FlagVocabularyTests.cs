extern alias shardpack;

using System.CommandLine;
using ShardStore.Runner.Cli;
using CommandContext = shardpack::ShardPack.Commands.CommandContext;
using ShardPackApp = shardpack::ShardPack.ShardPackApp;
using ShardPackSharedOptions = shardpack::ShardPack.Commands.SharedOptions;

namespace ShardStore.Runner.Tests;

/// <summary>
/// One flag vocabulary: every option the runner and a shardpack command both take is the same option (name, aliases,
/// value name, type, description, default), built from the shared definitions; no other name is taken by both.
/// </summary>
[TestClass]
public sealed class FlagVocabularyTests
{
    // Options both programs take, and the shardpack commands that take each.
    private static readonly Dictionary<string, string[]> s_shared = new(StringComparer.Ordinal)
    {
        ["--codec"] = ["pack"],
        ["--chunk-size"] = ["pack"],
        ["--threads"] = ["pack"],
        ["--order"] = ["order"],
        ["--batch-size"] = ["order"],
        ["--epochs"] = ["order"],
        ["--read-mode"] = ["info", "verify", "cat", "export", "order"],
        ["--direct-io"] = ["info", "verify", "cat", "export", "order"],
    };

    // Names both programs use for different things, and why they stay apart.
    private static readonly Dictionary<string, string> s_homonyms = new(StringComparer.Ordinal)
    {
        ["--json"] = "the runner's names a file for the benchmark results; shardpack's switches info and cat to JSON output",
        ["--help"] = "System.CommandLine's own",
        ["--version"] = "System.CommandLine's own",
    };

    private static readonly RootCommand s_runner = new RunnerCommand().Root;
    private static readonly RootCommand s_shardpack = ShardPackApp.CreateRoot(new CommandContext(TextWriter.Null, TextWriter.Null));

    [TestMethod]
    public void SharedOptions_EveryCommandThatTakesOne_DefinesItAsTheRunnerDoes()
    {
        foreach ((string name, string[] commands) in s_shared)
        {
            Option runner = Find(s_runner, name) ?? throw new AssertFailedException($"the runner has no {name}");
            foreach (string command in commands)
            {
                Command subcommand = s_shardpack.Subcommands.Single(c => c.Name == command);
                Option other = Find(subcommand, name) ?? throw new AssertFailedException($"shardpack {command} has no {name}");
                string where = $"{name}: runner and shardpack {command}";

                CollectionAssert.AreEquivalent(runner.Aliases.ToArray(), other.Aliases.ToArray(), where);
                Assert.AreEqual(runner.HelpName, other.HelpName, where);
                Assert.AreEqual(runner.ValueType, other.ValueType, where);
                if (name == "--epochs")
                {
                    // How many epochs means the same; what they are used for, and so the default, is the command's.
                    StringAssert.StartsWith(runner.Description, ShardPackSharedOptions.EpochsDescription, where);
                    StringAssert.StartsWith(other.Description, ShardPackSharedOptions.EpochsDescription, where);
                    continue;
                }

                Assert.AreEqual(runner.Description, other.Description, where);
                Assert.AreEqual(runner.HasDefaultValue, other.HasDefaultValue, where);
                Assert.AreEqual(runner.HasDefaultValue ? runner.GetDefaultValue() : null, other.HasDefaultValue ? other.GetDefaultValue() : null, where);
            }
        }
    }

    [TestMethod]
    public void SharedOptions_ListedCommands_AreEveryShardPackCommandThatTakesThem()
    {
        foreach ((string name, string[] commands) in s_shared)
        {
            string[] taking = [.. s_shardpack.Subcommands.Where(c => Find(c, name) is not null).Select(c => c.Name)];

            CollectionAssert.AreEquivalent(commands, taking, name);
        }
    }

    [TestMethod]
    public void Names_TakenByBothPrograms_AreSharedOptionsOrKnownHomonyms()
    {
        HashSet<string> runnerNames = [.. Names(s_runner)];
        string[] shardpackNames = [.. s_shardpack.Subcommands.SelectMany(Names).Distinct()];

        string[] unexplained = [.. shardpackNames.Where(runnerNames.Contains).Where(n => !s_shared.ContainsKey(n) && !s_homonyms.ContainsKey(n)).Order(StringComparer.Ordinal)];

        Assert.IsEmpty(unexplained, $"taken by the runner and by shardpack but not defined once in SharedOptions: {string.Join(", ", unexplained)}");
    }

    private static IEnumerable<string> Names(Command command) => command.Options.SelectMany(o => o.Aliases.Prepend(o.Name));

    private static Option? Find(Command command, string name) => command.Options.SingleOrDefault(o => o.Name == name);
}
