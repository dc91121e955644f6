using ShardStore;

namespace CacheStress;

/// <summary>
/// The values of the S3 tests' loader dataset (TestDatasets.WriteMixed): sample s has features <c>x</c> =
/// s*12+k+0.5 (k &lt; 12), <c>label</c> = s*3 and s%7 <c>tokens</c> s*100+k.
/// </summary>
internal static class MixedValues
{
    /// <summary>Returns what is wrong with the first wrong value of <paramref name="batch"/>, or null when every sample holds its values.</summary>
    public static string? FirstError(Batch batch)
    {
        ReadOnlySpan<float> x = batch.GetFixed<float>(0);
        ReadOnlySpan<long> labels = batch.GetFixed<long>(1);
        var tokens = batch.GetVariable<int>(2);
        for (int i = 0; i < batch.Count; i++)
        {
            long s = batch.SampleIndices[i];
            for (int k = 0; k < 12; k++)
            {
                if (x[(i * 12) + k] != (s * 12) + k + 0.5f)
                {
                    return $"x[{k}] of sample {s} is {x[(i * 12) + k]}, expected {(s * 12) + k + 0.5f}";
                }
            }

            if (labels[i] != s * 3)
            {
                return $"label of sample {s} is {labels[i]}, expected {s * 3}";
            }

            ReadOnlySpan<int> t = tokens[i];
            if (t.Length != (int)(s % 7))
            {
                return $"sample {s} has {t.Length} tokens, expected {s % 7}";
            }

            for (int k = 0; k < t.Length; k++)
            {
                if (t[k] != (int)(s * 100) + k)
                {
                    return $"token {k} of sample {s} is {t[k]}, expected {(s * 100) + k}";
                }
            }
        }

        return null;
    }
}
