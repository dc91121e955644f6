namespace ShardStore;

/// <summary>How a <see cref="DatasetMixture"/> interleaves its streams.</summary>
public enum MixtureGranularity
{
    /// <summary>Sample by sample: every batch holds samples of every stream, in about the streams' proportions.</summary>
    Sample = 0,

    /// <summary>
    /// Batch by batch: the streams' per-epoch counts are whole batches and every batch comes from one stream (except
    /// the short batches that end an epoch when <see cref="ShardLoaderOptions.DropLast"/> is off and ranks split the tail).
    /// </summary>
    Batch = 1,
}
