using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

[TestClass]
public sealed class InfoCommandTests
{
    [TestMethod]
    public void Info_Json_WritesEveryFieldWithVariableAndShape()
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);

        CliResult r = Cli.Run("info", ds, "--json");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        string output = r.Output.ReplaceLineEndings("\n");
        const string Fields = """
              "fields": [
                {
                  "name": "image",
                  "dtype": "f32",
                  "variable": false,
                  "shape": [
                    2,
                    3
                  ]
                },
                {
                  "name": "label",
                  "dtype": "i64",
                  "variable": false,
                  "shape": []
                },
                {
                  "name": "tokens",
                  "dtype": "i32",
                  "variable": true,
                  "shape": []
                }
              ],
              "metadata": {
                "origin": "test"
              }
            }

            """;
        Assert.EndsWith(Fields, output, r.ToString());
        StringAssert.Contains(output, "\"samples\": 3,", r.ToString());
    }

    [TestMethod]
    public void Info_Text_ListsEveryField()
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);

        CliResult r = Cli.Run("info", ds);

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Output, "  image                f32   [2, 3]", r.ToString());
        StringAssert.Contains(r.Output, "  tokens               i32   variable", r.ToString());
        StringAssert.Contains(r.Output, "meta      origin = test", r.ToString());
    }

    private static string Pack(TempDirectory dir)
    {
        string path = dir.Combine("ds");
        var schema = new Schema(FieldSpec.Fixed("image", DType.F32, 2, 3), FieldSpec.Fixed("label", DType.I64), FieldSpec.Variable("tokens", DType.I32));
        var options = new DatasetWriterOptions { Metadata = new Dictionary<string, string> { ["origin"] = "test" } };
        using (DatasetWriter writer = DatasetWriter.Create(path, schema, options))
        {
            for (int i = 0; i < 3; i++)
            {
                writer.Write<float>("image", new float[6]);
                writer.WriteScalar(1, (long)i);
                writer.Write<int>("tokens", [i]);
                writer.EndSample();
            }

            writer.Complete();
        }

        return path;
    }
}
