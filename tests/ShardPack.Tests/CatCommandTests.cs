using System.Globalization;
using System.Text;
using ShardPack.Tests.Infrastructure;
using ShardStore.Images.Codecs;

namespace ShardPack.Tests;

[TestClass]
public sealed class CatCommandTests
{
    private static readonly string s_images = Path.Combine(AppContext.BaseDirectory, "Images");

    [TestMethod]
    [DataRow(0, "photo_420.jpg")]
    [DataRow(1, "photo_cmyk.jpg")]
    [DataRow(2, "photo_palette.png")]
    public void Cat_DecodeTo_WritesBinaryPpmOfTheDecodedImage(int index, string name)
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);
        string ppm = dir.Combine("out.ppm");

        CliResult r = Cli.Run("cat", ds, "--index", index.ToString(CultureInfo.InvariantCulture), "--field", "image", "--decode-to", ppm);

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        byte[] expected = new byte[96 * 72 * 3];
        using (var decoder = new ImageDecoder())
        {
            decoder.Decode(File.ReadAllBytes(Path.Combine(s_images, name)), expected);
        }

        byte[] written = File.ReadAllBytes(ppm);
        byte[] header = Encoding.ASCII.GetBytes("P6\n96 72\n255\n");
        CollectionAssert.AreEqual(header, written[..header.Length], "PPM header");
        CollectionAssert.AreEqual(expected, written[header.Length..], "PPM pixels");
        StringAssert.Contains(r.Output, "96 x 72", r.ToString());
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void Cat_VariableFieldOfWideElements_PrintsItsValues(bool json)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("wide");
        var schema = new Schema(FieldSpec.Variable("tokens", DType.I32), FieldSpec.Variable("weights", DType.F64));
        using (DatasetWriter writer = DatasetWriter.Create(path, schema))
        {
            writer.Write<int>(0, [7, -300000, 42]);
            writer.Write<double>(1, [0.5]);
            writer.EndSample();
            writer.Complete();
        }

        CliResult r = json ? Cli.Run("cat", path, "--index", "0", "--json") : Cli.Run("cat", path, "--index", "0");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        if (json)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(r.Output);
            System.Text.Json.JsonElement tokens = doc.RootElement.GetProperty("fields").GetProperty("tokens");
            CollectionAssert.AreEqual(new[] { 7, -300000, 42 }, tokens.GetProperty("values").EnumerateArray().Select(v => v.GetInt32()).ToArray());
            Assert.AreEqual(3, tokens.GetProperty("shape")[0].GetInt32());
            Assert.AreEqual(0.5, doc.RootElement.GetProperty("fields").GetProperty("weights").GetProperty("values")[0].GetDouble());
        }
        else
        {
            StringAssert.Contains(r.Output, "tokens i32[3]: 7 -300000 42", r.ToString());
            StringAssert.Contains(r.Output, "weights f64[1]: 0.5", r.ToString());
        }
    }

    [TestMethod]
    public void Cat_LongFields_SummarizedUnlessAll()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("long");
        var schema = new Schema(FieldSpec.Fixed("pixels", DType.I32, 784), FieldSpec.Bytes("blob"), FieldSpec.Fixed("label", DType.I64));
        using (DatasetWriter writer = DatasetWriter.Create(path, schema))
        {
            writer.Write<int>(0, [.. Enumerable.Range(0, 784)]);
            writer.Write<byte>(1, [.. Enumerable.Range(0, 300).Select(i => (byte)i)]);
            writer.Write<long>(2, [5]);
            writer.EndSample();
            writer.Complete();
        }

        CliResult summary = Cli.Run("cat", path, "--index", "0");
        CliResult all = Cli.Run("cat", path, "--index", "0", "--all");

        Assert.AreEqual(ExitCodes.Success, summary.ExitCode, summary.ToString());
        StringAssert.Contains(summary.Output, "pixels i32[784]: 0 1 2 3 4 5 6 7 ... 776 777 778 779 780 781 782 783 (784 values; --all prints them all)", summary.ToString());
        StringAssert.Contains(summary.Output, "(base64, 300 bytes; --all prints them all)", summary.ToString());
        StringAssert.Contains(summary.Output, "label i64[]: 5", summary.ToString());
        Assert.AreEqual(ExitCodes.Success, all.ExitCode, all.ToString());
        StringAssert.Contains(all.Output, "pixels i32[784]: " + string.Join(' ', Enumerable.Range(0, 784)), all.ToString());
        StringAssert.Contains(all.Output, Convert.ToBase64String([.. Enumerable.Range(0, 300).Select(i => (byte)i)]) + " (base64)", all.ToString());
    }

    [TestMethod]
    [DataRow(3, "corrupt")]
    [DataRow(4, "not a JPEG or PNG")]
    public void Cat_DecodeToBadImage_ExitsBadDataNamingSample(int index, string expected)
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);
        string ppm = dir.Combine("out.ppm");

        CliResult r = Cli.Run("cat", ds, "--index", index.ToString(CultureInfo.InvariantCulture), "--field", "image", "--decode-to", ppm);

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, $"sample {index} (shard 0, chunk 0)", r.ToString());
        StringAssert.Contains(r.Error, "field 'image'", r.ToString());
        StringAssert.Contains(r.Error, expected, r.ToString());
        Assert.IsFalse(File.Exists(ppm), "a PPM was written for a bad image");
    }

    [TestMethod]
    [DataRow("--field", "label", "--decode-to", "out.ppm")]
    [DataRow("--field", "nope", "--decode-to", "out.ppm")]
    [DataRow("--decode-to", "out.ppm")]
    [DataRow("--field", "image")]
    public void Cat_DecodeToWrongOptions_ExitsInvalidArguments(params string[] options)
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);
        string[] resolved = [.. options.Select(o => o == "out.ppm" ? dir.Combine(o) : o)];

        CliResult r = Cli.Run(["cat", ds, "--index", "0", .. resolved]);

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.IsFalse(File.Exists(dir.Combine("out.ppm")));
    }

    private static string Pack(TempDirectory dir)
    {
        byte[] jpeg = File.ReadAllBytes(Path.Combine(s_images, "photo_420.jpg"));
        byte[] corrupt = [.. jpeg];
        corrupt[corrupt.Length / 2] = 0xFF;
        corrupt[(corrupt.Length / 2) + 1] = 0xD9;
        byte[][] images =
        [
            jpeg,
            File.ReadAllBytes(Path.Combine(s_images, "photo_cmyk.jpg")),
            File.ReadAllBytes(Path.Combine(s_images, "photo_palette.png")),
            corrupt,
            Encoding.ASCII.GetBytes("this is not an image"),
        ];
        string path = dir.Combine("ds");
        var schema = new Schema(FieldSpec.Variable("image", DType.U8), FieldSpec.Fixed("label", DType.I64));
        using (DatasetWriter writer = DatasetWriter.Create(path, schema))
        {
            for (int i = 0; i < images.Length; i++)
            {
                writer.Write<byte>("image", images[i]);
                writer.WriteScalar(1, (long)i);
                writer.EndSample();
            }

            writer.Complete();
        }

        return path;
    }
}
