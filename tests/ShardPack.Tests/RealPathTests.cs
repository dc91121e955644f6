using ShardPack.Internals;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

[TestClass]
public sealed class RealPathTests
{
    [TestMethod]
    public void Resolve_LinkedFolderThenParent_GoesUpFromTheLinkTarget()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("a/b"));
        Directory.CreateSymbolicLink(dir.Combine("link"), dir.Combine("a/b"));
        string root = RealPath.Resolve(dir.Path);

        // POSIX: link/.. is the parent of the link's target (a), not the folder holding the link.
        Assert.AreEqual(Path.Join(root, "a"), RealPath.Resolve(Path.Join(dir.Path, "link", "..")));
    }

    [TestMethod]
    public void Resolve_RelativeLinkAndMissingTail_FollowsLinkKeepsTail()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("data"));
        Directory.CreateSymbolicLink(dir.Combine("link"), "data");
        string root = RealPath.Resolve(dir.Path);

        Assert.AreEqual(Path.Join(root, "data", "new", "out"), RealPath.Resolve(Path.Join("link", "new", "out"), dir.Path));
    }

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
        File.CreateSymbolicLink(dir.Combine("x"), dir.Combine("y"));
        File.CreateSymbolicLink(dir.Combine("y"), dir.Combine("x"));

        Assert.ThrowsExactly<IOException>(() => RealPath.Resolve(dir.Combine("x")));
    }

    [TestMethod]
    [DataRow("/data/set", "/data/set", true)]
    [DataRow("/data/set/a.npy", "/data/set", true)]
    [DataRow("/data/settings", "/data/set", false)]
    [DataRow("/data", "/data/set", false)]
    [DataRow("/anything", "/", true)]
    public void IsSameOrInside_Paths_ComparesWholeComponents(string candidate, string folder, bool expected)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("POSIX paths.");
        }

        Assert.AreEqual(expected, RealPath.IsSameOrInside(candidate, folder));
    }
}
