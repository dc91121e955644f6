using System.Buffers.Binary;
using System.Runtime.InteropServices;
using ShardPack.Importers.Internals;

namespace ShardPack.Importers;

/// <summary>
/// <c>--from npy --field NAME=FILE.npy ...</c>: one .npy file per field, all with the same first dimension (the
/// sample count); a field's shape is the rest of its array's shape. Big-endian arrays are swapped while reading.
/// Each file is read straight into the writer's chunk layout, a run of samples at a time.
/// </summary>
internal sealed class NpyImporter : IImporter
{
    private readonly FieldFile[] _files;
    private readonly long _sampleCount;
    private readonly RecordShuffle? _shuffle;

    private NpyImporter(Schema schema, FieldFile[] files, long sampleCount, RecordShuffle? shuffle)
    {
        _shuffle = shuffle;
        Schema = schema;
        _files = files;
        _sampleCount = sampleCount;
        InputBytes = files.Sum(f => f.BytesPerSample * sampleCount);
    }

    public Schema Schema { get; }

    public long InputBytes { get; }

    /// <exception cref="UsageException">No <c>--field</c>, or one is not <c>NAME=FILE.npy</c>.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A header is malformed, a dtype unsupported, data truncated, or the first dimensions differ.</exception>
    public static IImporter Create(PackArguments arguments)
    {
        if (arguments.Fields.Count == 0)
        {
            throw new UsageException("--from npy needs at least one --field NAME=FILE.npy.");
        }

        var files = new List<FieldFile>(arguments.Fields.Count);
        try
        {
            foreach (string field in arguments.Fields)
            {
                int eq = field.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || eq == field.Length - 1)
                {
                    throw new UsageException($"--field '{field}': expected NAME=FILE.npy.");
                }

                files.Add(FieldFile.Open(field[..eq], field[(eq + 1)..]));
            }

            FieldFile first = files[0];
            foreach (FieldFile f in files.Skip(1))
            {
                if (f.Samples != first.Samples)
                {
                    throw DataErrors.Create(
                        $"first dimension {f.Samples} differs from {first.Samples} in '{first.Path}'; every --field array must have one row per sample.",
                        f.Path);
                }
            }

            Schema schema = FieldSyntax.CreateSchema(files.Select(f => FieldSpec.Fixed(f.Name, f.DType, f.FieldShape)));
            return new NpyImporter(schema, [.. files], first.Samples, RecordShuffle.For(arguments, first.Samples));
        }
        catch
        {
            foreach (FieldFile f in files)
            {
                f.Dispose();
            }

            throw;
        }
    }

    public void WriteSamples(DatasetWriter writer, PackProgress progress, CancellationToken cancellationToken)
    {
        long bytesPerSample = _files.Sum(f => (long)f.BytesPerSample);
        if (_shuffle is not null)
        {
            WriteShuffled(_shuffle, writer, progress, bytesPerSample, cancellationToken);
            return;
        }

        for (long sample = 0; sample < _sampleCount;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int run = writer.ReserveSamples((int)Math.Min(_sampleCount - sample, int.MaxValue));
            for (int i = 0; i < _files.Length; i++)
            {
                _files[i].Read(writer.GetReservedField(i));
            }

            writer.CommitReservedSamples();
            sample += run;
            progress.Advance(run, run * bytesPerSample);
        }

        foreach (FieldFile file in _files)
        {
            file.CheckFullyRead();
        }
    }

    // --shuffle-seed: sample k is row RecordAt(k) of every file, each read with a positioned read.
    private void WriteShuffled(RecordShuffle shuffle, DatasetWriter writer, PackProgress progress, long bytesPerSample, CancellationToken cancellationToken)
    {
        byte[][] rows = [.. _files.Select(f => new byte[f.BytesPerSample])];
        for (long k = 0; k < _sampleCount; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long row = shuffle.RecordAt(k);
            for (int i = 0; i < _files.Length; i++)
            {
                _files[i].ReadRow(row, rows[i]);
                writer.Write(i, (ReadOnlySpan<byte>)rows[i]);
            }

            writer.EndSample();
            if ((k + 1) % 256 == 0 || k + 1 == _sampleCount)
            {
                long advanced = ((k + 1) % 256) is 0 ? 256 : (k + 1) % 256;
                progress.Advance(advanced, advanced * bytesPerSample);
            }
        }
    }

    public void Dispose()
    {
        foreach (FieldFile f in _files)
        {
            f.Dispose();
        }
    }

    /// <summary>One field's .npy file, read in runs of whole samples.</summary>
    private sealed class FieldFile : IDisposable
    {
        private readonly FileStream _stream;
        private readonly int _itemSize;
        private readonly bool _swap;
        private readonly long _dataOffset;

        private FieldFile(string name, string path, FileStream stream, DType dtype, bool swap, long samples, int[] fieldShape, int bytesPerSample)
        {
            _dataOffset = stream.Position;
            Name = name;
            Path = path;
            _stream = stream;
            DType = dtype;
            _itemSize = DTypeInfo.GetItemSize(dtype);
            _swap = swap;
            Samples = samples;
            FieldShape = fieldShape;
            BytesPerSample = bytesPerSample;
        }

        public string Name { get; }

        public string Path { get; }

        public DType DType { get; }

        public long Samples { get; }

        public int[] FieldShape { get; }

        public int BytesPerSample { get; }

        public static FieldFile Open(string name, string path)
        {
            FileStream stream = InputFile.Open(path, bufferSize: 0);
            try
            {
                NpyHeader header = NpyHeader.Read(stream, path);
                if (!NpyHeader.TryParseDescr(header.Descr, out DType dtype, out bool swap))
                {
                    throw DataErrors.Create(
                        $"unsupported dtype '{header.Descr}'; supported: bool, uint8..uint64, int8..int64, float16, float32, float64 (any byte order).",
                        path);
                }

                if (header.FortranOrder && header.Shape.Count(d => d != 1) > 1)
                {
                    throw DataErrors.Create("Fortran-order arrays are not supported; save with np.ascontiguousarray.", path);
                }

                if (header.Shape.Count == 0)
                {
                    throw DataErrors.Create("a 0-d array has no sample dimension; save an array whose first dimension is the sample count.", path);
                }

                int itemSize = DTypeInfo.GetItemSize(dtype);
                long perSample = itemSize;
                int[] fieldShape = new int[header.Shape.Count - 1];
                for (int i = 1; i < header.Shape.Count; i++)
                {
                    long dim = header.Shape[i];
                    if (dim <= 0 || dim > int.MaxValue || (perSample *= dim) > Array.MaxLength)
                    {
                        throw DataErrors.Create(
                            $"shape ({string.Join(", ", header.Shape)}) cannot be a field: every dimension after the first must be positive and one sample at most {Array.MaxLength} bytes.",
                            path);
                    }

                    fieldShape[i - 1] = (int)dim;
                }

                if (fieldShape.Length > FieldSpec.MaxRank)
                {
                    throw DataErrors.Create($"a field has at most {FieldSpec.MaxRank} dimensions after the sample dimension; shape has {fieldShape.Length}.", path);
                }

                long samples = header.Shape[0];
                long expected;
                try
                {
                    expected = checked(header.DataOffset + (samples * perSample));
                }
                catch (OverflowException)
                {
                    throw DataErrors.Create($"shape ({string.Join(", ", header.Shape)}) is too large.", path);
                }

                if (stream.Length != expected)
                {
                    throw DataErrors.Create(
                        $"expected {expected} bytes ({header.DataOffset} header + {samples} x {perSample} data for shape ({string.Join(", ", header.Shape)}) '{header.Descr}'), but the file has {stream.Length}; it is {(stream.Length < expected ? "truncated" : "followed by extra bytes")}.",
                        path,
                        byteOffset: Math.Min(stream.Length, expected));
                }

                stream.Position = header.DataOffset;
                return new FieldFile(name, path, stream, dtype, swap, samples, fieldShape, (int)perSample);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        /// <summary>Reads the next samples into <paramref name="destination"/>, a whole number of samples, little-endian.</summary>
        /// <exception cref="InvalidDataException">The file ended early.</exception>
        public void Read(Span<byte> destination)
        {
            long offset = _stream.Position;
            try
            {
                _stream.ReadExactly(destination);
            }
            catch (EndOfStreamException e)
            {
                throw DataErrors.Create("the file ended early; was it changed while packing?", Path, byteOffset: offset, innerException: e);
            }

            if (_swap)
            {
                Swap(destination);
            }
        }

        /// <summary>Reads row <paramref name="row"/> into <paramref name="destination"/> (one sample's bytes), little-endian, with a positioned read.</summary>
        /// <exception cref="InvalidDataException">The file ended early.</exception>
        public void ReadRow(long row, Span<byte> destination)
        {
            long offset = _dataOffset + (row * BytesPerSample);
            int read = 0;
            for (int n; read < destination.Length && (n = RandomAccess.Read(_stream.SafeFileHandle, destination[read..], offset + read)) > 0;)
            {
                read += n;
            }

            if (read < destination.Length)
            {
                throw DataErrors.Create("the file ended early; was it changed while packing?", Path, byteOffset: offset + read);
            }

            if (_swap)
            {
                Swap(destination);
            }
        }

        /// <summary>Throws when the file has grown since it was opened, so that rows appended while packing are not dropped silently.</summary>
        /// <exception cref="InvalidDataException">The file is longer than its header says.</exception>
        public void CheckFullyRead()
        {
            long length = _stream.Length;
            long end = _dataOffset + (Samples * BytesPerSample);
            if (length != end)
            {
                throw DataErrors.Create(
                    $"the file is {length} bytes now but its header describes {end}; it was changed while packing, so the pack is abandoned.",
                    Path,
                    byteOffset: end);
            }
        }

        public void Dispose() => _stream.Dispose();

        private void Swap(Span<byte> data)
        {
            switch (_itemSize)
            {
                case 2:
                    Span<ushort> u16 = MemoryMarshal.Cast<byte, ushort>(data);
                    BinaryPrimitives.ReverseEndianness(u16, u16);
                    break;
                case 4:
                    Span<uint> u32 = MemoryMarshal.Cast<byte, uint>(data);
                    BinaryPrimitives.ReverseEndianness(u32, u32);
                    break;
                case 8:
                    Span<ulong> u64 = MemoryMarshal.Cast<byte, ulong>(data);
                    BinaryPrimitives.ReverseEndianness(u64, u64);
                    break;
            }
        }
    }
}
