using ShardPack.Importers.Internals;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

[TestClass]
public sealed class RealPathTests
{
    [TestMethod]
    public void Resolve_DotDotAfterSymlinkedFolder_AppliesToLinkTarget()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("a/deep/er"));
        Directory.CreateDirectory(dir.Combine("b"));
        SpecialFiles.CreateSymbolicLink(dir.Combine("b/link"), dir.Combine("a/deep/er"), directory: true);
        string root = RealPath.Resolve(dir.Path);

        // The kernel applies '..' to the link's target (a/deep), not lexically to b.
        Assert.AreEqual(Path.Combine(root, "a", "deep", "f.bin"), RealPath.Resolve(dir.Combine("b/link/../f.bin")));
    }

    [TestMethod]
    public void Resolve_LinkLoop_ThrowsIOException()
    {
        using var dir = new TempDirectory();
        SpecialFiles.CreateSymbolicLink(dir.Combine("x"), dir.Combine("y"));
        SpecialFiles.CreateSymbolicLink(dir.Combine("y"), dir.Combine("x"));

        Assert.ThrowsExactly<IOException>(() => RealPath.Resolve(dir.Combine("x")));
    }

    [TestMethod]
    [DataRow("/data/m", "/data/m/a.bin", true)]
    [DataRow("/data/m", "/data/m", true)]
    [DataRow("/data/m/", "/data/m/sub/a.bin", true)]
    [DataRow("/data/m", "/data/mm/a.bin", false)]
    [DataRow("/data/m", "/data/a.bin", false)]
    [DataRow("/", "/etc/passwd", true)]
    public void IsUnder_Paths_ComparesWholeComponents(string folder, string path, bool expected)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("The rows are Unix paths.");
        }

        Assert.AreEqual(expected, RealPath.IsUnder(path, folder));
    }
}
