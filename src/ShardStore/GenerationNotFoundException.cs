namespace ShardStore;

/// <summary>The generation asked of a dataset (<see cref="ShardDatasetOptions.Generation"/>) is not one it has.</summary>
public sealed class GenerationNotFoundException : ArgumentOutOfRangeException
{
    /// <summary>Initializes a new instance naming the dataset, the generation asked for and the newest one.</summary>
    /// <param name="dataset">The dataset's directory or location.</param>
    /// <param name="generation">The generation asked for.</param>
    /// <param name="newestGeneration">The dataset's newest generation.</param>
    public GenerationNotFoundException(string dataset, int generation, int newestGeneration)
        : base("options.Generation", generation, null)
    {
        Dataset = dataset;
        Generation = generation;
        NewestGeneration = newestGeneration;
    }

    /// <summary>Gets the message: the dataset, its generations and the one asked for.</summary>
    public override string Message =>
        $"Dataset '{Dataset}' has generations 1 to {NewestGeneration}; generation {Generation} does not exist{(Generation > NewestGeneration ? " (yet)" : "")}.";

    /// <summary>Gets the dataset's directory or location.</summary>
    public string Dataset { get; }

    /// <summary>Gets the generation asked for.</summary>
    public int Generation { get; }

    /// <summary>Gets the dataset's newest generation.</summary>
    public int NewestGeneration { get; }
}
