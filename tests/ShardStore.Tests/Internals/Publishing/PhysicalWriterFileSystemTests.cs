using ShardStore.Internals.Publishing;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests.Internals.Publishing;

/// <summary>The real calls behind the writer's file-system seam: the atomic exchange and the directory flush.</summary>
[TestClass]
public sealed class PhysicalWriterFileSystemTests
{
    [TestMethod]
    public void TryExchangeDirectories_TwoDirectories_SwapsThem()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("the atomic exchange exists on Linux only");
        }

        using var dir = new TempDirectory();
        string a = Directory.CreateDirectory(dir.Combine("a")).FullName;
        string b = Directory.CreateDirectory(dir.Combine("b")).FullName;
        File.WriteAllText(Path.Combine(a, "from-a"), "a");
        File.WriteAllText(Path.Combine(b, "from-b"), "b");

        if (!PhysicalWriterFileSystem.Instance.TryExchangeDirectories(a, b))
        {
            Assert.Inconclusive("this file system refuses renameat2 RENAME_EXCHANGE");
        }

        Assert.IsTrue(File.Exists(Path.Combine(a, "from-b")));
        Assert.IsTrue(File.Exists(Path.Combine(b, "from-a")));
        Assert.HasCount(1, Directory.GetFiles(a));
        Assert.HasCount(1, Directory.GetFiles(b));
    }

    [TestMethod]
    public void TryExchangeDirectories_OneMissing_ThrowsIOExceptionAndChangesNothing()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("the atomic exchange exists on Linux only");
        }

        using var dir = new TempDirectory();
        string a = Directory.CreateDirectory(dir.Combine("a")).FullName;

        IOException e = Assert.ThrowsExactly<IOException>(() => PhysicalWriterFileSystem.Instance.TryExchangeDirectories(a, dir.Combine("missing")));

        Assert.Contains(a, e.Message);
        Assert.IsTrue(Directory.Exists(a));
    }

    [TestMethod]
    public void FlushDirectory_ExistingDirectory_Succeeds()
    {
        using var dir = new TempDirectory();

        PhysicalWriterFileSystem.Instance.FlushDirectory(dir.Path);

        Assert.IsTrue(Directory.Exists(dir.Path));
    }

    [TestMethod]
    public void FlushDirectory_Missing_ThrowsIOExceptionNamingIt()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("directories are not flushed on Windows");
        }

        using var dir = new TempDirectory();
        string missing = dir.Combine("missing");

        IOException e = Assert.ThrowsExactly<IOException>(() => PhysicalWriterFileSystem.Instance.FlushDirectory(missing));

        Assert.Contains(missing, e.Message);
    }
}
