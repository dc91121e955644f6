using ShardStore.Transforms;

namespace ShardStore.Tests.Transforms.Infrastructure;

/// <summary>A transform that declares the signature it is given, to test the loader's checks; it never runs.</summary>
internal sealed class SignatureTransform(TransformSignature signature) : ISampleTransform
{
    public TransformSignature Bind(Schema input) => signature;

    public ISampleTransformWorker CreateWorker() => throw new InvalidOperationException("A transform the loader refuses is never run.");
}
