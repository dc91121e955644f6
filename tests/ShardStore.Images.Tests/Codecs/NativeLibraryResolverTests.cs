using System.Runtime.InteropServices;
using ShardStore.Images.Codecs;
using ShardStore.Images.Internals;
using ShardStore.Native;

namespace ShardStore.Images.Tests.Codecs;

[TestClass]
public sealed class NativeLibraryResolverTests
{
    [TestMethod]
    [DataRow("LINUX", "apt-get install libturbojpeg0")]
    [DataRow("OSX", "brew install jpeg-turbo")]
    [DataRow("WINDOWS", "turbojpeg.dll")]
    public void Load_TurboJpegMissing_MessageSaysWhatToInstall(string platform, string expected)
    {
        NativeLibraryDescriptor missing = NativeLibraryResolver.DescribeTurboJpeg(OSPlatform.Create(platform)) with
        {
            CandidateNames = ["libturbojpeg_shardstore_absent.so.99"],
        };

        var e = Assert.ThrowsExactly<DllNotFoundException>(() => NativeLibraryProbe.Load(missing, typeof(ImageDecoder).Assembly, null));

        Assert.Contains(expected, e.Message);
        Assert.Contains("JPEG decoding", e.Message);
        Assert.Contains("libturbojpeg_shardstore_absent.so.99", e.Message);
    }

    [TestMethod]
    [DataRow("LINUX", "apt-get install libspng0")]
    [DataRow("OSX", "brew install libspng")]
    [DataRow("WINDOWS", "spng.dll")]
    public void Load_SpngMissing_MessageSaysWhatToInstall(string platform, string expected)
    {
        NativeLibraryDescriptor missing = NativeLibraryResolver.DescribeSpng(OSPlatform.Create(platform)) with
        {
            CandidateNames = ["libspng_shardstore_absent.so.99"],
        };

        var e = Assert.ThrowsExactly<DllNotFoundException>(() => NativeLibraryProbe.Load(missing, typeof(ImageDecoder).Assembly, null));

        Assert.Contains(expected, e.Message);
        Assert.Contains("PNG decoding", e.Message);
    }

    [TestMethod]
    public void Describe_Linux_TriesDebianSonames()
    {
        CollectionAssert.Contains(NativeLibraryResolver.DescribeTurboJpeg(OSPlatform.Linux).CandidateNames.ToList(), "libturbojpeg.so.0");
        CollectionAssert.Contains(NativeLibraryResolver.DescribeSpng(OSPlatform.Linux).CandidateNames.ToList(), "libspng.so.0");
    }
}
