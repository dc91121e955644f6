using ShardStore.Internals.Ordering;

namespace ShardStore.Internals.Loading;

/// <summary>The checks of a loader state that a loader over a mixture resumes from.</summary>
internal static class MixtureChecks
{
    /// <summary>Checks that <paramref name="state"/> was taken from this mixture (same streams, datasets and parameters) with the same order options.</summary>
    /// <exception cref="ArgumentException">It was not; the message names the stream that differs.</exception>
    public static void CheckResume(DatasetMixture mixture, MixtureLayout layout, ShardLoaderOptions options, LoaderState state)
    {
        if (state.Mixture is not { } recorded)
        {
            throw new ArgumentException(
                $"The loader state belongs to the single dataset {state.DatasetFingerprint}, not to a mixture; resume it with a loader over that dataset.",
                nameof(options));
        }

        string[] was = recorded.Split(';');
        string[] now = mixture.Descriptor.Split(';');
        const int Header = 2;
        if (was.Length != now.Length)
        {
            throw new ArgumentException(
                $"The loader state belongs to a mixture of {Math.Max(0, was.Length - Header)} streams, and this one has {now.Length - Header}; resume with the mixture it was taken from.",
                nameof(options));
        }

        for (int i = 0; i < Header; i++)
        {
            if (was[i] != now[i])
            {
                throw new ArgumentException($"The loader state was taken from a mixture with {was[i]} (this one: {now[i]}); resume with the mixture it was taken from.", nameof(options));
            }
        }

        for (int s = 0; s < now.Length - Header; s++)
        {
            string a = was[s + Header];
            string b = now[s + Header];
            if (a == b)
            {
                continue;
            }

            string[] aParts = a.Split(':', 2);
            string[] bParts = b.Split(':', 2);
            string dataset = mixture.Streams[s].Dataset.Directory;
            throw new ArgumentException(
                aParts[0] != bParts[0]
                    ? $"Stream {s} ('{dataset}', fingerprint {bParts[0]}...) is not the dataset the loader state was taken with (fingerprint {aParts[0]}...); resume with the same datasets in the same order."
                    : $"Stream {s} ('{dataset}') takes {bParts[^1]} and the loader state was taken with {aParts[^1]}; resume with the same mixture parameters.",
                nameof(options));
        }

        if (state.DatasetFingerprint != mixture.Fingerprint)
        {
            throw new ArgumentException($"The loader state belongs to mixture {state.DatasetFingerprint}, not to this one ({mixture.Fingerprint}); resume with the mixture it was taken from.", nameof(options));
        }

        LoaderOptionChecks.CheckOrderOptions(options, state);

        if (state.Position > layout.EpochSamples)
        {
            throw new ArgumentException($"The loader state's position {state.Position} is past the mixture's {layout.EpochSamples} samples per epoch.", nameof(options));
        }
    }
}
