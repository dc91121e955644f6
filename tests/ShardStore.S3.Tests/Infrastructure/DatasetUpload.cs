using Amazon.S3;
using Amazon.S3.Model;

namespace ShardStore.S3.Tests.Infrastructure;

/// <summary>Copies a dataset written on disk into a bucket with plain PUTs, the way a sync tool would.</summary>
internal static class DatasetUpload
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    /// <summary>Puts every file under <paramref name="directory"/> as <c>prefix/relative-path</c> in <paramref name="bucket"/> (which must exist); returns the object names relative to the prefix.</summary>
    public static async Task<IReadOnlyList<string>> UploadAsync(IAmazonS3 client, string directory, string bucket, string prefix)
    {
        var names = new List<string>();
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(directory, file).Replace(Path.DirectorySeparatorChar, '/');
            await PutAsync(client, bucket, $"{prefix}/{name}", await File.ReadAllBytesAsync(file).ConfigureAwait(false)).ConfigureAwait(false);
            names.Add(name);
        }

        return names;
    }

    /// <summary>Puts one object, replacing what was there.</summary>
    public static async Task PutAsync(IAmazonS3 client, string bucket, string key, byte[] content)
    {
        using var body = new MemoryStream(content);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = body }).WaitAsync(s_bound).ConfigureAwait(false);
    }
}
