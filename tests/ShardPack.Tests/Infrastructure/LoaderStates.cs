namespace ShardPack.Tests.Infrastructure;

/// <summary>Loader states taken part-way through a run and saved as files, for the ledger checks of <c>shardpack order</c>.</summary>
internal static class LoaderStates
{
    /// <summary>Reads up to <paramref name="batches"/> batches, returns where the loader then stands, and disposes it.</summary>
    public static LoaderState Drain(ShardLoader loader, int batches)
    {
        using (loader)
        {
            for (int k = 0; k < batches && loader.NextBatch() is { } batch; k++)
            {
                batch.Dispose();
            }

            return loader.GetState();
        }
    }

    /// <summary>Saves each state as <c>PREFIXi.state</c> in <paramref name="dir"/> and returns the files' paths.</summary>
    public static string[] Save(TempDirectory dir, string prefix, LoaderState[] states)
    {
        string[] files = [.. states.Select((_, i) => dir.Combine($"{prefix}{i}.state"))];
        for (int i = 0; i < states.Length; i++)
        {
            states[i].Save(files[i]);
        }

        return files;
    }
}
