using ShardPack.Importers.Internals;

namespace ShardPack.Tests;

[TestClass]
public sealed class LineReaderTests
{
    [TestMethod]
    public void TryReadLine_LfCrLfAndCr_EndLines()
    {
        CollectionAssert.AreEqual(new[] { "a", "b", string.Empty, "c", "d" }, ReadAll("a\nb\r\n\rc\rd", 16));
    }

    [TestMethod]
    public void TryReadLine_CrLfAcrossBufferBoundary_IsOneLineBreak()
    {
        // The reader's buffer holds 64 Ki characters; the CR is its last one and the LF the first of the next fill.
        string first = new('x', (64 * 1024) - 1);

        CollectionAssert.AreEqual(new[] { first, "y" }, ReadAll(first + "\r\ny", 1 << 20));
    }

    [TestMethod]
    public void TryReadLine_LineLongerThanLimit_ThrowsNamingLine()
    {
        using var reader = new LineReader(new StringReader("ok\n123456789\n"), "x.ctf", 8);
        Assert.IsTrue(reader.TryReadLine(out _));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => reader.TryReadLine(out _));

        Assert.Contains("'x.ctf', line 2", e.Message);
        Assert.Contains("--max-line-bytes", e.Message);
    }

    [TestMethod]
    public void TryReadLine_LastLineWithoutBreakAtLimit_Reads()
    {
        CollectionAssert.AreEqual(new[] { "12345678" }, ReadAll("12345678", 8));
    }

    private static List<string> ReadAll(string text, int maxChars)
    {
        using var reader = new LineReader(new StringReader(text), "test.ctf", maxChars);
        var lines = new List<string>();
        while (reader.TryReadLine(out ReadOnlySpan<char> line))
        {
            lines.Add(line.ToString());
            Assert.AreEqual(lines.Count, reader.LineNumber);
        }

        return lines;
    }
}
