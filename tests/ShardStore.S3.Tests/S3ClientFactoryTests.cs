namespace ShardStore.S3.Tests;

[TestClass]
public sealed class S3ClientFactoryTests
{
    private static readonly Func<string, string?> s_noEnvironment = _ => null;

    [TestMethod]
    [DataRow("http://127.0.0.1:9000", true)]
    [DataRow("http://[::1]:9000", true)]
    [DataRow("http://localhost:9000", true)]
    [DataRow("https://LOCALHOST", true)]
    [DataRow("http://10.1.2.3", true)]
    [DataRow("https://s3.eu-west-1.amazonaws.com", false)]
    [DataRow("https://minio.example.org:9000", false)]
    public void UsePathStyle_ByEndpointHost_PathStyleForIpAndLocalhost(string endpoint, bool expected)
    {
        Assert.AreEqual(expected, S3ClientFactory.UsePathStyle(new Uri(endpoint), forced: null, environmentValue: null));
    }

    [TestMethod]
    public void UsePathStyle_NoEndpoint_VirtualHosted()
    {
        Assert.IsFalse(S3ClientFactory.UsePathStyle(null, forced: null, environmentValue: null));
    }

    [TestMethod]
    [DataRow("1", "https://s3.example.org", true)]
    [DataRow("true", "https://s3.example.org", true)]
    [DataRow("0", "http://127.0.0.1:9000", false)]
    [DataRow(" FALSE ", "http://localhost", false)]
    public void UsePathStyle_EnvironmentVariable_OverridesHostDefault(string value, string endpoint, bool expected)
    {
        Assert.AreEqual(expected, S3ClientFactory.UsePathStyle(new Uri(endpoint), forced: null, environmentValue: value));
    }

    [TestMethod]
    public void UsePathStyle_Option_OverridesEnvironmentVariable()
    {
        Assert.IsFalse(S3ClientFactory.UsePathStyle(new Uri("http://127.0.0.1"), forced: false, environmentValue: "1"));
        Assert.IsTrue(S3ClientFactory.UsePathStyle(new Uri("https://s3.example.org"), forced: true, environmentValue: "0"));
    }

    [TestMethod]
    public void UsePathStyle_BadEnvironmentValue_ThrowsNamingTheVariable()
    {
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => S3ClientFactory.UsePathStyle(null, forced: null, environmentValue: "yes"));

        StringAssert.Contains(e.Message, S3StorageOptions.ForcePathStyleVariable);
        StringAssert.Contains(e.Message, "'yes'");
    }

    [TestMethod]
    public void CreateConfig_EndpointFromEnvironment_ServiceSpecificFirst()
    {
        var environment = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = "https://general.example.org",
            ["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:9000",
        };

        var config = S3ClientFactory.CreateConfig(new S3StorageOptions(), name => environment.GetValueOrDefault(name));

        StringAssert.StartsWith(config.ServiceURL, "http://127.0.0.1:9000");
        Assert.IsTrue(config.ForcePathStyle);
        Assert.AreEqual(0, config.MaxErrorRetry);
    }

    [TestMethod]
    public void CreateConfig_OptionEndpoint_OverridesEnvironmentAndUsesVariable()
    {
        var environment = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:9000",
            [S3StorageOptions.ForcePathStyleVariable] = "1",
        };

        var config = S3ClientFactory.CreateConfig(
            new S3StorageOptions { ServiceUrl = "https://storage.example.org", Region = "eu-west-1" },
            name => environment.GetValueOrDefault(name));

        StringAssert.StartsWith(config.ServiceURL, "https://storage.example.org");
        Assert.IsTrue(config.ForcePathStyle);
        Assert.AreEqual("eu-west-1", config.AuthenticationRegion);
    }

    [TestMethod]
    public void CreateConfig_NoEndpointAnywhere_VirtualHostedAws()
    {
        var config = S3ClientFactory.CreateConfig(new S3StorageOptions { Region = "us-east-1" }, s_noEnvironment);

        Assert.IsFalse(config.ForcePathStyle);
    }

    [TestMethod]
    public void CreateConfig_BadEndpoint_ThrowsArgumentException()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => S3ClientFactory.CreateConfig(new S3StorageOptions { ServiceUrl = "127.0.0.1:9000" }, s_noEnvironment));

        StringAssert.Contains(e.Message, "127.0.0.1:9000");
    }

    [TestMethod]
    public void CreateConfig_NonPositiveTime_ThrowsArgumentOutOfRange()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => S3ClientFactory.CreateConfig(new S3StorageOptions { RetryDeadline = TimeSpan.Zero }, s_noEnvironment));
    }
}
