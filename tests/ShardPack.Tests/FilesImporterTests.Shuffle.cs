using System.Text;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

public sealed partial class FilesImporterTests
{
    [TestMethod]
    public void Run_ShuffleSeed_ManifestRowsShuffled_SameSamplesInAReproducibleOrder()
    {
        using var dir = new TempDirectory();
        string manifest = WriteShuffleManifest(dir, rows: 120, missingRow: -1, out _);

        (string[] plain, _) = ShuffledPack.AssertShuffles(dir, "--from", "files", "--manifest", manifest, "--path-column", "path", "--field", "label:i32:label");

        Assert.HasCount(120, plain);
    }

    [TestMethod]
    public void Run_ShuffleSeed_MissingFile_ExitsThreeNamingTheManifestLine()
    {
        using var dir = new TempDirectory();
        string manifest = WriteShuffleManifest(dir, rows: 120, missingRow: 77, out long line);

        string error = ShuffledPack.AssertBadData(dir, "--from", "files", "--manifest", manifest, "--path-column", "path", "--field", "label:i32:label");

        StringAssert.Contains(error, $"'{manifest}', line {line}:", error);
        StringAssert.Contains(error, "'f77.bin'", error);
        StringAssert.Contains(error, "does not exist", error);
    }

    // A manifest with CRLF ends and a quoted comment spanning two lines on every fifth row; row i names f{i}.bin
    // (i + 1 bytes of value i), which is not written for `missingRow`, whose line is `line`.
    private static string WriteShuffleManifest(TempDirectory dir, int rows, int missingRow, out long line)
    {
        var manifest = new StringBuilder("path,comment,label\r\n");
        long next = 2;
        line = 0;
        for (int i = 0; i < rows; i++)
        {
            if (i != missingRow)
            {
                File.WriteAllBytes(dir.Combine($"f{i}.bin"), Enumerable.Repeat((byte)i, i + 1).ToArray());
            }
            else
            {
                line = next;
            }

            string comment = i % 5 == 0 ? "\"two\r\nlines, ü\"" : "one";
            manifest.Append($"f{i}.bin,{comment},{i * 3}\r\n");
            next += i % 5 == 0 ? 2 : 1;
        }

        string path = dir.Combine("manifest.csv");
        File.WriteAllText(path, manifest.ToString());
        return path;
    }
}
