namespace ShardStore.Transforms;

/// <summary>What an <see cref="ISampleTransform"/> reads and writes, as it declares from the schema it receives.</summary>
/// <remarks>
/// In the schema the next transform (or the batch) sees, the input fields are replaced by the outputs: the outputs take
/// the place of the first input, and the other inputs are gone. With <see cref="KeepInputs"/>, or without inputs, the
/// inputs stay and the outputs are added at the end. Output names must be new in that schema.
/// </remarks>
public sealed class TransformSignature
{
    /// <summary>Creates a signature.</summary>
    /// <param name="inputs">Names of the fields the transform reads, in the order <see cref="SampleInputs"/> gives them.</param>
    /// <param name="outputs">The fixed-shape fields the transform writes, in the order <see cref="SampleOutputs"/> gives them.</param>
    /// <param name="keepInputs">Whether the input fields stay in the schema after the transform.</param>
    /// <exception cref="ArgumentNullException">A list or an element of it is null.</exception>
    public TransformSignature(IEnumerable<string> inputs, IEnumerable<FieldSpec> outputs, bool keepInputs = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        string[] names = [.. inputs];
        FieldSpec[] specs = [.. outputs];
        foreach (string name in names)
        {
            ArgumentNullException.ThrowIfNull(name, nameof(inputs));
        }

        foreach (FieldSpec spec in specs)
        {
            ArgumentNullException.ThrowIfNull(spec, nameof(outputs));
        }

        Inputs = names;
        Outputs = specs;
        KeepInputs = keepInputs;
    }

    /// <summary>Gets the names of the fields read.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Gets the output fields; each has a fixed shape.</summary>
    public IReadOnlyList<FieldSpec> Outputs { get; }

    /// <summary>Gets whether the input fields stay in the schema after the transform.</summary>
    public bool KeepInputs { get; }
}
