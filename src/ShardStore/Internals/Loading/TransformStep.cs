using ShardStore.Transforms;

namespace ShardStore.Internals.Loading;

/// <summary>One transform of a <see cref="TransformPlan"/>: its place in the list and the fields it reads and writes (ids of the plan's field space).</summary>
internal sealed record TransformStep(ISampleTransform Transform, int Position, int[] Inputs, int[] Outputs)
{
    /// <summary>Gets the transform's name for messages: its position and type.</summary>
    public string Name => $"transform {Position} ({Transform.GetType().Name})";
}
