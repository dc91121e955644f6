namespace ShardStore.S3.Tests;

[TestClass]
public sealed class S3LocationTests
{
    [TestMethod]
    public void Parse_BucketAndPrefix_SplitsAndTrimsTrailingSlash()
    {
        var location = S3Location.Parse("s3://my-bucket/datasets/train/");

        Assert.AreEqual("my-bucket", location.Bucket);
        Assert.AreEqual("datasets/train", location.Prefix);
        Assert.AreEqual("s3://my-bucket/datasets/train", location.ToString());
    }

    [TestMethod]
    public void Parse_BucketOnly_HasEmptyPrefix()
    {
        var location = S3Location.Parse("S3://abc");

        Assert.AreEqual("abc", location.Bucket);
        Assert.AreEqual(string.Empty, location.Prefix);
        Assert.AreEqual("s3://abc", location.ToString());
        Assert.AreEqual("manifest.json", location.GetKey("manifest.json"));
    }

    [TestMethod]
    public void GetKey_UnderPrefix_JoinsWithOneSlash()
    {
        var location = S3Location.Parse("s3://bucket/a/b");

        Assert.AreEqual("a/b/shards/0.shard", location.GetKey("/shards/0.shard"));
        Assert.AreEqual("s3://bucket/a/b/manifest.json", location.GetUri("manifest.json"));
        Assert.ThrowsExactly<ArgumentException>(() => location.GetKey("/"));
    }

    [TestMethod]
    public void Equals_SameBucketAndPrefix_AreEqual()
    {
        Assert.AreEqual(S3Location.Parse("s3://bucket/a/"), S3Location.Parse("s3://bucket/a"));
        Assert.AreEqual(S3Location.Parse("s3://bucket/a").GetHashCode(), S3Location.Parse("s3://bucket/a/").GetHashCode());
        Assert.AreNotEqual(S3Location.Parse("s3://bucket/a"), S3Location.Parse("s3://bucket/b"));
    }

    [TestMethod]
    [DataRow("/data/train", "must start with s3://")]
    [DataRow("s3://", "bucket name is missing")]
    [DataRow("s3:///prefix", "bucket name is missing")]
    [DataRow("s3://ab/prefix", "3 to 63")]
    [DataRow("s3://My-Bucket", "the character 'M'")]
    [DataRow("s3://bucket_1", "the character '_'")]
    [DataRow("s3://-bucket", "begin and end with a letter or digit")]
    [DataRow("s3://bucket/a//b", "empty, '.' or '..' segment")]
    [DataRow("s3://bucket/a/../b", "empty, '.' or '..' segment")]
    public void Parse_Invalid_ThrowsArgumentExceptionSayingWhy(string uri, string reason)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => S3Location.Parse(uri));

        StringAssert.Contains(e.Message, reason);
        StringAssert.Contains(e.Message, uri);
    }

    [TestMethod]
    public void IsS3Uri_LocalPathAndS3Uri_TellsThemApart()
    {
        Assert.IsTrue(S3Location.IsS3Uri("s3://bucket/x"));
        Assert.IsFalse(S3Location.IsS3Uri("/data/s3://x"));
        Assert.IsFalse(S3Location.IsS3Uri(null));
    }
}
