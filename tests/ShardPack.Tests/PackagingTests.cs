using System.Globalization;
using System.IO.Compression;
using System.Xml.Linq;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

/// <summary>
/// The packages as a user gets them: everything packed into a local feed, shardpack installed from it as a .NET tool,
/// and a new console project that references ShardStore from that feed. Restores outside the repository see only the
/// local feed, with the machine's global packages folder as a fallback for the packages' own dependencies.
/// </summary>
[TestClass]
[TestCategory("Packaging")]
public sealed class PackagingTests
{
    private static readonly string[] s_libraries =
        ["ShardStore", "ShardStore.Codecs", "ShardStore.Cuda", "ShardStore.Images", "ShardStore.S3", "ShardStore.ML"];

    private static readonly TimeSpan s_packLimit = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan s_stepLimit = TimeSpan.FromMinutes(3);
    private static readonly IReadOnlyDictionary<string, string> s_noEnvironment = new Dictionary<string, string>();

    [TestMethod]
    [Timeout(1_800_000, CooperativeCancellation = true)] // every step inside is bounded: the pack by s_packLimit, the rest by s_stepLimit
    public void Pack_LocalFeed_ToolInstallsAndRunsAndConsoleProjectOpensDataset()
    {
        string root = DotnetCli.RepositoryRoot ?? Inconclusive<string>($"The repository is not above the test binaries ({AppContext.BaseDirectory}).");
        if (DotnetCli.HostPath is null)
        {
            Assert.Inconclusive($"No dotnet host beside the runtime ({DotnetCli.DotnetRoot}).");
        }

        if (DotnetCli.Run(root, s_noEnvironment, s_stepLimit, "--version").ExitCode != 0)
        {
            Assert.Inconclusive("No .NET SDK that global.json accepts: packing needs the SDK, not only the runtime.");
        }

        using var temp = new TempDirectory();
        string feed = temp.Combine("feed");
        string version = "0.0.1-packaging." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

        // Analyzers already ran in the repository's own build; the pack only has to produce the packages.
        CliResult pack = DotnetCli.Run(root, s_noEnvironment, s_packLimit,
            "pack", "ShardStore.sln", "-c", "Release", "--artifacts-path", temp.Combine("artifacts"), "-o", feed,
            $"-p:Version={version}", "-p:RunAnalyzers=false", "-nologo", "-v", "q");
        Assert.AreEqual(0, pack.ExitCode, $"dotnet pack failed.\n{pack.Output}\n{pack.Error}");
        foreach (string id in s_libraries)
        {
            AssertLibraryPackage(Path.Combine(feed, $"{id}.{version}.nupkg"), id);
            Assert.IsTrue(File.Exists(Path.Combine(feed, $"{id}.{version}.snupkg")), $"{id} has no symbol package.");
        }

        Assert.IsTrue(File.Exists(Path.Combine(feed, $"ShardStore.Tool.{version}.nupkg")), "The tool package is missing.");

        // Restores outside the repository: the local feed only, in a packages folder of their own.
        string work = temp.Combine("consumer");
        Directory.CreateDirectory(work);
        WriteNuGetConfig(Path.Combine(work, "nuget.config"), feed, GlobalPackagesFolder(root));
        var restoreEnvironment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = temp.Combine("packages") };

        string tools = temp.Combine("tools");
        CliResult install = DotnetCli.Run(work, restoreEnvironment, s_stepLimit,
            "tool", "install", "ShardStore.Tool", "--version", version, "--tool-path", tools, "--add-source", feed);
        Assert.AreEqual(0, install.ExitCode, $"dotnet tool install failed.\n{install.Output}\n{install.Error}");
        string shardpack = Path.Combine(tools, OperatingSystem.IsWindows() ? "shardpack.exe" : "shardpack");

        CliResult versionRun = DotnetCli.RunProgram(shardpack, work, s_noEnvironment, s_stepLimit, "--version");
        Assert.AreEqual(0, versionRun.ExitCode, versionRun.Error);
        StringAssert.StartsWith(versionRun.Output.Trim(), version);

        File.WriteAllText(Path.Combine(work, "in.csv"), "x,y,label\n1.5,2,0\n3,4.25,1\n5,6,2\n");
        CliResult packed = DotnetCli.RunProgram(shardpack, work, s_noEnvironment, s_stepLimit,
            "pack", "--from", "csv", "--input", "in.csv", "--field", "xy:f32:x+y", "--field", "label:i64:label", "--codec", "lz4", "-o", "ds", "--quiet");
        Assert.AreEqual(0, packed.ExitCode, packed.Error);
        CliResult verified = DotnetCli.RunProgram(shardpack, work, s_noEnvironment, s_stepLimit, "verify", "ds");
        Assert.AreEqual(0, verified.ExitCode, verified.Error);
        StringAssert.Contains(verified.Output, "3 samples");

        string app = Path.Combine(work, "app");
        WriteConsoleProject(app);
        foreach (string id in (string[])["ShardStore", "ShardStore.Codecs"])
        {
            CliResult add = DotnetCli.Run(app, restoreEnvironment, s_stepLimit, "add", "package", id, "--version", version);
            Assert.AreEqual(0, add.ExitCode, $"dotnet add package {id} failed.\n{add.Output}\n{add.Error}");
        }

        CliResult build = DotnetCli.Run(app, restoreEnvironment, s_stepLimit, "build", "-c", "Debug", "-nologo", "-v", "q");
        Assert.AreEqual(0, build.ExitCode, $"The console project did not build.\n{build.Output}\n{build.Error}");
        CliResult run = DotnetCli.Run(app, s_noEnvironment, s_stepLimit, Path.Combine(app, "bin", "Debug", "net10.0", "app.dll"), Path.Combine(work, "ds"));
        Assert.AreEqual(0, run.ExitCode, run.Error);
        Assert.AreEqual("3 4.25 1", run.Output.Trim());
    }

    private static T Inconclusive<T>(string message)
    {
        Assert.Inconclusive(message);
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Checks that a library package carries its assembly, its XML docs and its README.</summary>
    private static void AssertLibraryPackage(string path, string id)
    {
        Assert.IsTrue(File.Exists(path), $"{Path.GetFileName(path)} is missing.");
        using ZipArchive zip = ZipFile.OpenRead(path);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        Assert.Contains($"lib/net10.0/{id}.dll", entries, $"{id}: no assembly.");
        Assert.Contains($"lib/net10.0/{id}.xml", entries, $"{id}: no XML documentation.");
        Assert.Contains("README.md", entries, $"{id}: no README.");
    }

    /// <summary>Asks NuGet where the machine's global packages folder is (it holds the dependencies the repository restored).</summary>
    private static string GlobalPackagesFolder(string root)
    {
        CliResult locals = DotnetCli.Run(root, s_noEnvironment, s_stepLimit, "nuget", "locals", "global-packages", "--list");
        Assert.AreEqual(0, locals.ExitCode, locals.Error);
        const string Prefix = "global-packages:";
        string? line = locals.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal));
        Assert.IsNotNull(line, $"dotnet nuget locals printed no global packages folder: {locals.Output}");
        return line[Prefix.Length..].Trim();
    }

    private static void WriteNuGetConfig(string path, string feed, string fallback)
    {
        new XDocument(new XElement("configuration",
            new XElement("packageSources", new XElement("clear"), new XElement("add", new XAttribute("key", "local"), new XAttribute("value", feed))),
            new XElement("fallbackPackageFolders", new XElement("add", new XAttribute("key", "machine"), new XAttribute("value", fallback)))))
            .Save(path);
    }

    /// <summary>A new console project that opens the dataset given as its argument and prints the sample count and sample 1.</summary>
    private static void WriteConsoleProject(string directory)
    {
        Directory.CreateDirectory(directory);
        // Empty files stop MSBuild from importing any Directory.*.props found above the temp folder.
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "app.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <InvariantGlobalization>true</InvariantGlobalization>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using ShardStore;
            using ShardStore.Codecs;

            using var dataset = ShardDataset.Open(args[0], new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
            using SampleLease sample = dataset.ReadSample(1);
            Console.WriteLine($"{dataset.SampleCount} {sample.Get<float>(0)[1]} {sample.Get<long>(1)[0]}");
            """);
    }
}
