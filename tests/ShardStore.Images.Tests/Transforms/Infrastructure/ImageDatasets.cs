namespace ShardStore.Images.Tests.Transforms.Infrastructure;

/// <summary>Packs encoded images into a dataset {image: u8[*], label: i64}, in small chunks and shards so a loader crosses many.</summary>
internal static class ImageDatasets
{
    public static Schema Schema { get; } = new(FieldSpec.Bytes("image"), FieldSpec.Fixed("label", DType.I64));

    /// <summary>Writes sample i with the bytes of <paramref name="images"/>[i] and label i * 7; returns the dataset's folder.</summary>
    public static string Write(string directory, IReadOnlyList<byte[]> images, int chunkBytes = 48 << 10, long shardBytes = 160 << 10)
    {
        using (DatasetWriter writer = DatasetWriter.Create(directory, Schema, new DatasetWriterOptions { ChunkTargetBytes = chunkBytes, ShardTargetBytes = shardBytes, Threads = 1 }))
        {
            for (int i = 0; i < images.Count; i++)
            {
                writer.Write<byte>(0, images[i]);
                writer.WriteScalar(1, (long)i * 7);
                writer.EndSample();
            }

            writer.Complete();
        }

        return directory;
    }
}
