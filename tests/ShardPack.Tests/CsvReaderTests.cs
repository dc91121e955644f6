using ShardPack.Importers;

namespace ShardPack.Tests;

[TestClass]
public sealed class CsvReaderTests
{
    [TestMethod]
    public void Read_QuotedCommasQuotesAndNewlines_UnquotesFieldsAndCountsLines()
    {
        List<(long Line, string[] Fields)> records = ReadAll("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",z\n3,,\"\"\n");

        Assert.HasCount(4, records);
        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, records[0].Fields);
        CollectionAssert.AreEqual(new[] { "1", "x, y", "say \"hi\"" }, records[1].Fields);
        CollectionAssert.AreEqual(new[] { "2", "two\nlines", "z" }, records[2].Fields);
        CollectionAssert.AreEqual(new[] { "3", string.Empty, string.Empty }, records[3].Fields);
        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 5 }, records.Select(r => r.Line).ToArray());
    }

    [TestMethod]
    public void Read_CrLfAndLoneCr_EndRecords()
    {
        List<(long Line, string[] Fields)> records = ReadAll("a,b\r\n1,\"p\r\nq\"\r\n2,3\r4,5");

        Assert.HasCount(4, records);
        CollectionAssert.AreEqual(new[] { "1", "p\r\nq" }, records[1].Fields);
        CollectionAssert.AreEqual(new[] { "2", "3" }, records[2].Fields);
        CollectionAssert.AreEqual(new[] { "4", "5" }, records[3].Fields);
        CollectionAssert.AreEqual(new long[] { 1, 2, 4, 5 }, records.Select(r => r.Line).ToArray());
    }

    [TestMethod]
    public void Read_EmptyLines_AreSkippedButCounted()
    {
        List<(long Line, string[] Fields)> records = ReadAll("a\n\n\r\nb\n\n");

        Assert.HasCount(2, records);
        Assert.AreEqual("b", records[1].Fields[0]);
        Assert.AreEqual(4L, records[1].Line);
    }

    [TestMethod]
    public void Read_RecordLongerThanBuffer_ReadsWholeRecord()
    {
        string[] values = [.. Enumerable.Range(0, 30000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        List<(long Line, string[] Fields)> records = ReadAll("h\n" + string.Join(',', values) + "\nlast");

        Assert.HasCount(3, records);
        CollectionAssert.AreEqual(values, records[1].Fields);
        Assert.AreEqual("last", records[2].Fields[0]);
    }

    [TestMethod]
    public void Read_UnclosedQuote_ThrowsNamingStartLine()
    {
        using var reader = new CsvReader(new StringReader("a\n\"open\nmore\n"), "x.csv");
        Assert.IsTrue(reader.Read());

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => reader.Read());

        Assert.Contains("'x.csv', line 2", e.Message);
        Assert.Contains("not closed", e.Message);
    }

    [TestMethod]
    public void Read_TextAfterClosingQuote_Throws()
    {
        using var reader = new CsvReader(new StringReader("\"a\"b,c\n"), "x.csv");

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => reader.Read());

        Assert.Contains("line 1", e.Message);
    }

    [TestMethod]
    [DataRow("a\n1,2,3,4,5,6,7,8,9\n")]
    [DataRow("a\n,,,,,,,,,,,,,,,,\n")]
    [DataRow("a\n\"quoted\nover\nlines\"\n")]
    public void Read_RecordLongerThanLimit_ThrowsNamingLine(string text)
    {
        using var reader = new CsvReader(new StringReader(text), "x.csv", maxRecordChars: 8);
        Assert.IsTrue(reader.Read());

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => reader.Read());

        Assert.Contains("'x.csv', line 2", e.Message);
        Assert.Contains("--max-line-bytes", e.Message);
    }

    [TestMethod]
    public void Read_RecordAtLimit_Reads()
    {
        using var reader = new CsvReader(new StringReader("a\n1234,678\nxy"), "x.csv", maxRecordChars: 8);

        Assert.IsTrue(reader.Read());
        Assert.IsTrue(reader.Read());
        CollectionAssert.AreEqual(new[] { "1234", "678" }, reader.ToArray());
        Assert.IsTrue(reader.Read());
        Assert.IsFalse(reader.Read());
    }

    [TestMethod]
    public void EndLine_QuotedLineBreaksBlankLinesAndLastRowWithoutBreak_IsTheLineTheRecordEndsOn()
    {
        using var reader = new CsvReader(new StringReader("h\r\n\"a\r\nb\rc\"\r\n\r\nd\n\"e\nf\""), "x.csv");
        var spans = new List<(long Line, long EndLine)>();
        while (reader.Read())
        {
            spans.Add((reader.Line, reader.EndLine));
        }

        CollectionAssert.AreEqual(new[] { (1L, 1L), (2L, 4L), (6L, 6L), (7L, 8L) }, spans);
    }

    [TestMethod]
    public void Restart_AfterTheTextWasReplaced_ReadsItWithTheGivenLineNumbers()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("in.csv");
        File.WriteAllText(path, "id,v\n1,\"x\ny\"\n2,\"b\"q\n");
        using FileStream file = File.OpenRead(path);
        using var text = new ShardPack.Importers.Internals.RecordText(file.SafeFileHandle, path);
        using var reader = new CsvReader(text, path);

        text.Load(5, 8, 2);
        reader.Restart(2);
        Assert.IsTrue(reader.Read());
        CollectionAssert.AreEqual(new[] { "1", "x\ny" }, reader.ToArray());
        Assert.AreEqual((2L, 3L), (reader.Line, reader.EndLine));
        Assert.IsFalse(reader.Read());

        text.Load(13, 7, 4);
        reader.Restart(4);
        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => reader.Read());
        Assert.Contains($"'{path}', line 4", e.Message);
    }

    private static List<(long Line, string[] Fields)> ReadAll(string text)
    {
        using var reader = new CsvReader(new StringReader(text), "test.csv");
        var records = new List<(long, string[])>();
        while (reader.Read())
        {
            records.Add((reader.Line, reader.ToArray()));
        }

        return records;
    }
}
