namespace ShardStore.Images.Tests;

[TestClass]
public sealed class ImageFolderMetadataTests
{
    [TestMethod]
    public void FormatClassNames_AwkwardNames_ReadBackTheSame()
    {
        string[] names = ["n01440764", "café", "with \"quotes\", commas", "back\\slash", "日本", string.Empty];

        string value = ImageFolderMetadata.FormatClassNames(names);

        CollectionAssert.AreEqual(names, ImageFolderMetadata.GetClassNames(new Dictionary<string, string> { ["classes"] = value })!.ToArray());
        StringAssert.StartsWith(value, "[\"n01440764\",\"café\"");
    }

    [TestMethod]
    public void GetClassNames_NoKey_ReturnsNull() =>
        Assert.IsNull(ImageFolderMetadata.GetClassNames(new Dictionary<string, string> { ["other"] = "[]" }));

    [TestMethod]
    [DataRow("not json")]
    [DataRow("{\"a\": 1}")]
    [DataRow("[\"a\", 1]")]
    [DataRow("[\"a\"")]
    public void GetClassNames_NotAnArrayOfStrings_ThrowsInvalidData(string value)
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolderMetadata.GetClassNames(new Dictionary<string, string> { ["classes"] = value }));

        StringAssert.Contains(e.Message, "'classes'");
    }

    [TestMethod]
    public void GetClassNames_Dataset_ReadsItsManifestMetadata()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        var metadata = new Dictionary<string, string> { [ImageFolderMetadata.ClassesKey] = ImageFolderMetadata.FormatClassNames(["cat", "dog"]) };
        using (DatasetWriter writer = DatasetWriter.Create(path, new Schema(FieldSpec.Fixed("label", DType.I64)), new DatasetWriterOptions { Metadata = metadata }))
        {
            writer.WriteScalar(0, 1L);
            writer.EndSample();
            writer.Complete();
        }

        using ShardDataset dataset = ShardDataset.Open(path);

        CollectionAssert.AreEqual(new[] { "cat", "dog" }, ImageFolderMetadata.GetClassNames(dataset)!.ToArray());
    }
}
