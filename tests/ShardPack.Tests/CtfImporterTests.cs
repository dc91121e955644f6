using ShardPack.Tests.Infrastructure;
using ShardStore.Codecs;

namespace ShardPack.Tests;

[TestClass]
public sealed partial class CtfImporterTests
{
    [TestMethod]
    public void Pack_DenseSparseAndComments_ReadsBackEveryValue()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.ctf");
        File.WriteAllText(input, """
            |# a header comment on its own line
            |features 0 0.5 1 |labels 2:1 |# trailing comment
            |labels 0:0.25 4:-3 |features -1 2e3 7

              |features 1 1 1	|labels
            """);

        string output = dir.Combine("out");
        CliResult result = Cli.Run("pack", "--from", "ctf", "--input", input, "--stream", "features:3", "--stream", "labels:5:sparse", "-o", output, "--quiet");
        Assert.AreEqual(ExitCodes.Success, result.ExitCode, result.ToString());

        using ShardDataset dataset = Open(output);
        Assert.AreEqual("{features:f32[3], labels:f32[5]}", dataset.Schema.ToString());
        float[][] features = [[0, 0.5f, 1], [-1, 2000, 7], [1, 1, 1]];
        float[][] labels = [[0, 0, 1, 0, 0], [0.25f, 0, 0, 0, -3], [0, 0, 0, 0, 0]];
        Assert.AreEqual(features.Length, dataset.SampleCount);
        for (int i = 0; i < features.Length; i++)
        {
            using SampleLease sample = dataset.ReadSample(i);
            CollectionAssert.AreEqual(features[i], sample.Get<float>(0).ToArray());
            CollectionAssert.AreEqual(labels[i], sample.Get<float>(1).ToArray());
        }
    }

    [TestMethod]
    public void Pack_Sequences_StreamWithSeveralRowsBecomesVariable()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.ctf");
        File.WriteAllText(input, """
            0 |x 1 2 |y 1:1
            0 |x 3 4
            0 |x 5 6
            1 |x 7 8 |y 0:2
            |x 9 10 |y 2:3
            2 |y 1:4 |# no x rows
            """);

        string output = dir.Combine("out");
        CliResult result = Cli.Run("pack", "--from", "ctf", "--input", input, "--stream", "x:2", "--stream", "y:3:sparse", "-o", output, "--quiet");
        Assert.AreEqual(ExitCodes.Success, result.ExitCode, result.ToString());

        using ShardDataset dataset = Open(output);
        Assert.AreEqual("{x:f32[*], y:f32[3]}", dataset.Schema.ToString());
        float[][] x = [[1, 2, 3, 4, 5, 6], [7, 8], [9, 10], []];
        float[][] y = [[0, 1, 0], [2, 0, 0], [0, 0, 3], [0, 4, 0]];
        Assert.AreEqual(x.Length, dataset.SampleCount);
        for (int i = 0; i < x.Length; i++)
        {
            using SampleLease sample = dataset.ReadSample(i);
            CollectionAssert.AreEqual(x[i], sample.Get<float>(0).ToArray());
            CollectionAssert.AreEqual(y[i], sample.Get<float>(1).ToArray());
        }
    }

    [TestMethod]
    public void Pack_SeqFlag_SingleRowStreamIsVariable()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.ctf");
        File.WriteAllText(input, "|x 1 2\n|x 3 4\n");

        string output = dir.Combine("out");
        CliResult result = Cli.Run("pack", "--from", "ctf", "--input", input, "--stream", "x:2:seq", "-o", output, "--quiet");
        Assert.AreEqual(ExitCodes.Success, result.ExitCode, result.ToString());

        using ShardDataset dataset = Open(output);
        Assert.AreEqual("{x:f32[*]}", dataset.Schema.ToString());
        using SampleLease sample = dataset.ReadSample(1);
        CollectionAssert.AreEqual(new float[] { 3, 4 }, sample.Get<float>(0).ToArray());
    }

    [TestMethod]
    [DataRow("|x 1 2\n|x 1 2 |z 5\n", "line 2", "unknown stream 'z'")]
    [DataRow("|x 1 2 |s 0:1\n|x 1 2\n|x 3 4 |s 4:1\n", "line 3", "index 4 is beyond")]
    [DataRow("|x 1 2\n|x 1\n", "line 2", "has 1 values")]
    [DataRow("|x 1 2\n|x 1 2 3\n", "line 2", "more than 2 values")]
    [DataRow("|x 1 2\n|x 1 two\n", "line 2", "'two' is not a number")]
    [DataRow("|x 1 2 |s 1\n", "line 1", "not an index:value pair")]
    public void Pack_MalformedLine_ExitsThreeNamingFileAndLine(string text, string line, string problem)
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.ctf");
        File.WriteAllText(input, text);

        string output = dir.Combine("out");
        CliResult result = Cli.Run("pack", "--from", "ctf", "--input", input, "--stream", "x:2", "--stream", "s:4:sparse:seq", "-o", output, "--quiet");
        Assert.AreEqual(ExitCodes.BadData, result.ExitCode, result.ToString());
        Assert.Contains(input, result.Error);
        Assert.Contains(line, result.Error);
        Assert.Contains(problem, result.Error);
        Assert.IsFalse(Directory.Exists(output));
    }

    [TestMethod]
    [DataRow("x")]
    [DataRow("x:0")]
    [DataRow("x:2:dense:bogus")]
    public void Pack_BadStreamOption_ExitsTwo(string stream)
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.ctf");
        File.WriteAllText(input, "|x 1 2\n");

        CliResult result = Cli.Run("pack", "--from", "ctf", "--input", input, "--stream", stream, "-o", dir.Combine("out"), "--quiet");
        Assert.AreEqual(ExitCodes.InvalidArguments, result.ExitCode, result.ToString());
        Assert.IsFalse(Directory.Exists(dir.Combine("out")));
    }

    private static ShardDataset Open(string output) => ShardDataset.Open(output, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
}
