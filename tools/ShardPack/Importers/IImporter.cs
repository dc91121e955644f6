namespace ShardPack.Importers;

/// <summary>Turns one input format into samples, streaming, with bounded memory.</summary>
internal interface IImporter : IDisposable
{
    /// <summary>Gets the schema of the samples, known before the first one is written.</summary>
    Schema Schema { get; }

    /// <summary>Gets the number of input bytes the importer will read, for progress; 0 when unknown.</summary>
    long InputBytes { get; }

    /// <summary>Writes every sample to <paramref name="writer"/> (Write each field, then EndSample; or fill runs of fixed-shape samples with ReserveSamples), reporting progress.</summary>
    /// <exception cref="InvalidDataException">The input is malformed; the message names the file and the line or record (use <see cref="DataErrors.Create"/>).</exception>
    void WriteSamples(DatasetWriter writer, PackProgress progress, CancellationToken cancellationToken);
}
