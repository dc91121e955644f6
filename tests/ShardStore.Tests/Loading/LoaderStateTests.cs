using System.Diagnostics;
using System.Text;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests.Loading;

[TestClass]
public sealed partial class LoaderStateTests
{
    private static readonly LoaderState s_state = new()
    {
        DatasetFingerprint = "0123456789abcdef0123456789abcdef",
        DatasetIdentity = "00112233445566778899aabbccddeeff",
        Seed = ulong.MaxValue,
        Order = SampleOrder.Window,
        BatchSize = 4096,
        WindowChunks = 64,
        LogicalPartitions = 1024,
        DropLast = true,
        Epoch = 123_456,
        Position = 9_000_000_000_000L,
        WorldSize = 4096,
    };

    [TestMethod]
    public void FromBytes_BytesFromToBytes_ReturnsAnEqualState()
    {
        byte[] bytes = s_state.ToBytes();

        Assert.IsLessThan(1024, bytes.Length);
        Assert.AreEqual(s_state, LoaderState.FromBytes(bytes));
    }

    [TestMethod]
    public void FromBytes_OrderVersionAndPieceSamples_RoundTrip()
    {
        LoaderState state = s_state with { OrderVersion = 2, WindowPieceSamples = 7 };

        LoaderState read = LoaderState.FromBytes(state.ToBytes());

        Assert.AreEqual(2, read.OrderVersion);
        Assert.AreEqual(7, read.WindowPieceSamples);
    }

    [TestMethod]
    public void FromBytes_StateWithoutOrderVersion_IsVersionOne()
    {
        string text = Encoding.UTF8.GetString((s_state with { OrderVersion = 2 }).ToBytes()).Replace(",\"orderVersion\":2", string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain("orderVersion", text);

        Assert.AreEqual(1, LoaderState.FromBytes(Encoding.UTF8.GetBytes(text)).OrderVersion);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("not json")]
    [DataRow("{}")]
    [DataRow("{\"version\":2}")]
    public void FromBytes_NotAState_ThrowsInvalidDataException(string text)
    {
        Assert.ThrowsExactly<InvalidDataException>(() => LoaderState.FromBytes(Encoding.UTF8.GetBytes(text)));
    }

    [TestMethod]
    [DataRow("\"order\":\"Window\"", "\"order\":\"Shuffled\"")]
    [DataRow("\"batchSize\":4096", "\"batchSize\":0")]
    [DataRow("\"position\":9000000000000", "\"position\":-1")]
    [DataRow("\"orderVersion\":1", "\"orderVersion\":0")]
    [DataRow("\"seed\":\"18446744073709551615\"", "\"seed\":\"-1\"")]
    public void FromBytes_FieldOutOfRange_ThrowsInvalidDataException(string field, string replacement)
    {
        string text = Encoding.UTF8.GetString(s_state.ToBytes());
        Assert.Contains(field, text);

        Assert.ThrowsExactly<InvalidDataException>(() => LoaderState.FromBytes(Encoding.UTF8.GetBytes(text.Replace(field, replacement, StringComparison.Ordinal))));
    }

    [TestMethod]
    [DataRow("{}")]
    [DataRow("x")]
    [DataRow(",")]
    public void FromBytes_TrailingContent_ThrowsInvalidDataException(string trailing)
    {
        byte[] bytes = [.. s_state.ToBytes(), .. Encoding.UTF8.GetBytes(trailing)];

        Assert.ThrowsExactly<InvalidDataException>(() => LoaderState.FromBytes(bytes));
    }

    [TestMethod]
    public void FromBytes_TrailingWhitespace_ReturnsTheState()
    {
        byte[] bytes = [.. s_state.ToBytes(), .. "\n  \r\n"u8];

        Assert.AreEqual(s_state, LoaderState.FromBytes(bytes));
    }

    [TestMethod]
    public void FromBytes_StateWithoutIdentity_LoadsWithNullIdentity()
    {
        LoaderState old = s_state with { DatasetIdentity = null };
        string text = Encoding.UTF8.GetString(old.ToBytes());
        Assert.DoesNotContain("datasetIdentity", text);

        Assert.AreEqual(old, LoaderState.FromBytes(Encoding.UTF8.GetBytes(text)));
    }

    [TestMethod]
    [DataRow("\"datasetIdentity\":\"0011\"")]
    [DataRow("\"datasetIdentity\":7")]
    [DataRow("\"datasetIdentity\":\"00112233445566778899AABBCCDDEEFF\"")]
    public void FromBytes_MalformedIdentity_ThrowsInvalidDataException(string replacement)
    {
        string text = Encoding.UTF8.GetString(s_state.ToBytes()).Replace("\"datasetIdentity\":\"00112233445566778899aabbccddeeff\"", replacement, StringComparison.Ordinal);
        Assert.Contains(replacement, text);

        Assert.ThrowsExactly<InvalidDataException>(() => LoaderState.FromBytes(Encoding.UTF8.GetBytes(text)));
    }

    [TestMethod]
    public void Save_ThenLoad_ReturnsAnEqualStateAndLeavesNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("loader.state");
        File.WriteAllText(path, "an older state");

        s_state.Save(path);

        Assert.AreEqual(s_state, LoaderState.Load(path));
        CollectionAssert.AreEqual(s_state.ToBytes(), File.ReadAllBytes(path));
        CollectionAssert.AreEqual(new[] { "loader.state" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void Save_DirectoryMissing_ThrowsAndWritesNothing()
    {
        using var dir = new TempDirectory();
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => s_state.Save(dir.Combine("missing/loader.state")));
        Assert.IsEmpty(Directory.GetFileSystemEntries(dir.Path));
    }

    [TestMethod]
    public void Load_Missing_ThrowsFileNotFoundException()
    {
        using var dir = new TempDirectory();
        Assert.ThrowsExactly<FileNotFoundException>(() => LoaderState.Load(dir.Combine("loader.state")));
    }

    [TestMethod]
    [DataRow("not a state")]
    [DataRow("")]
    public void Load_NotAState_ThrowsInvalidDataExceptionNamingFile(string text)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("loader.state");
        File.WriteAllText(path, text);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => LoaderState.Load(path));
        Assert.Contains(path, e.Message);
    }

    [TestMethod]
    public void Load_HugeFile_ThrowsWithoutReadingIt()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("loader.state");
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            stream.SetLength(1L << 30);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => LoaderState.Load(path));
        Assert.IsLessThan(1L << 20, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Contains(path, e.Message);
    }

    [TestMethod]
    public void Load_Fifo_ThrowsInvalidDataExceptionWithoutBlocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("Refusing a FIFO without blocking is implemented on Linux.");
        }

        using var dir = new TempDirectory();
        string path = dir.Combine("loader.state");
        using (Process mkfifo = Process.Start("mkfifo", [path]))
        {
            mkfifo.WaitForExit();
            if (mkfifo.ExitCode != 0)
            {
                Assert.Inconclusive("mkfifo failed.");
            }
        }

        Task<LoaderState> load = Task.Run(() => LoaderState.Load(path));
        if (!((IAsyncResult)load).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30)))
        {
            using (new FileStream(path, FileMode.Open, FileAccess.Write))
            {
            }

            Assert.Fail("Load blocked on the FIFO.");
        }

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => load.GetAwaiter().GetResult());
        Assert.Contains("FIFO", e.Message);
    }
}
