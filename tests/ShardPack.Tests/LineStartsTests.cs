using System.Text;
using ShardPack.Importers.Internals;

namespace ShardPack.Tests;

[TestClass]
public sealed class LineStartsTests
{
    [TestMethod]
    public void StartOf_LfCrLfAndLoneCr_MatchTheLinesLineReaderReads()
    {
        const string Text = "a\nbé\r\n\rc\rd€\n\n";
        long[] starts = Starts(Encoding.UTF8.GetBytes(Text), 8);

        // Line n starts after the bytes of lines 1..n-1 and their breaks: "a\n" 2, "bé\r\n" 5, "\r" 1, "c\r" 2, "d€\n" 5, "\n" 1.
        CollectionAssert.AreEqual(new long[] { 0, 2, 7, 8, 10, 15, 16, 16 }, starts);
        Assert.AreEqual(6, ReadLines(Text), "the line count LineReader sees");
    }

    [TestMethod]
    public void StartOf_Utf8ByteOrderMark_LineOneStartsAfterIt()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, (byte)'x', (byte)'\n', (byte)'y'];

        CollectionAssert.AreEqual(new long[] { 3, 5, 6 }, Starts(bytes, 3));
    }

    [TestMethod]
    public void StartOf_CrLfAcrossBufferBoundary_IsOneLineBreak()
    {
        // The buffer holds 64 KiB; the CR is its last byte and the LF the first of the next read.
        byte[] bytes = Encoding.ASCII.GetBytes(new string('x', (64 * 1024) - 1) + "\r\ny\rz");

        CollectionAssert.AreEqual(new long[] { 0, 64 * 1024 + 1, 64 * 1024 + 3, 64 * 1024 + 4 }, Starts(bytes, 4));
    }

    [TestMethod]
    [DataRow(new byte[] { 0xFF, 0xFE, (byte)'a', 0 })]
    [DataRow(new byte[] { 0xFE, 0xFF, 0, (byte)'a' })]
    [DataRow(new byte[] { 0, 0, 0xFE, 0xFF })]
    public void Create_Utf16Or32ByteOrderMark_ThrowsSayingToConvert(byte[] bytes)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("in.csv");
        File.WriteAllBytes(path, bytes);
        using FileStream file = File.OpenRead(path);

        UsageException e = Assert.ThrowsExactly<UsageException>(() => new LineStarts(file.SafeFileHandle, path));

        Assert.Contains("UTF-8", e.Message);
        Assert.Contains(path, e.Message);
    }

    private static long[] Starts(byte[] bytes, int lines)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("in.txt");
        File.WriteAllBytes(path, bytes);
        using FileStream file = File.OpenRead(path);
        var starts = new LineStarts(file.SafeFileHandle, path);
        return [.. Enumerable.Range(1, lines).Select(line => starts.StartOf(line))];
    }

    private static long ReadLines(string text)
    {
        using var reader = new LineReader(new StringReader(text), "x", 1 << 10);
        while (reader.TryReadLine(out _))
        {
        }

        return reader.LineNumber;
    }
}
