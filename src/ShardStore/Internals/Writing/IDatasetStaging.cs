namespace ShardStore.Internals.Writing;

/// <summary>
/// Where a <see cref="DatasetWriter"/> puts shard files while it writes, and how it makes the finished dataset appear at
/// its target: a local directory (<see cref="StagingDirectory"/>) or an object store (<see cref="Publishing.ObjectStorageStaging"/>).
/// </summary>
/// <remarks>One thread calls every member: the writer's.</remarks>
internal interface IDatasetStaging
{
    /// <summary>Gets the target as messages name it: a full directory path or a URI such as <c>s3://bucket/prefix</c>.</summary>
    string TargetPath { get; }

    /// <summary>Gets the local directory that shard files are written into.</summary>
    string StagingPath { get; }

    /// <summary>Gets whether shard files must be flushed to the disk before publishing; false when they are uploaded and deleted.</summary>
    bool FlushesShards { get; }

    /// <summary>Returns the file (and object) name of shard <paramref name="index"/>.</summary>
    string ShardFileName(int index);

    /// <summary>Takes a finished shard whose file <paramref name="closed"/> flushes and closes.</summary>
    /// <returns>The task the writer awaits before publishing: done once the shard is where the dataset will be read from.</returns>
    Task ShardFinished(ShardInfo shard, Task closed);

    /// <summary>Cancels work started for finished shards (uploads), so that the tasks of <see cref="ShardFinished"/> end soon.</summary>
    void CancelPending();

    /// <summary>Makes the dataset appear at the target with <paramref name="manifest"/> written last; every shard task has completed.</summary>
    /// <exception cref="IOException">Publishing failed; the target holds the old dataset (or the new one when only cleanup after it failed).</exception>
    /// <exception cref="OperationCanceledException">Cancelled before the target was touched.</exception>
    void Publish(string manifestName, ReadOnlySpan<byte> manifest, CancellationToken cancellationToken);

    /// <summary>Deletes everything written so far, or after publishing what is left of the replaced dataset; best effort. Every shard task has ended.</summary>
    void Abandon();
}
