using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ShardStore.Testing.Infrastructure;

/// <summary>Listens to one meter and sums every measurement per instrument, for tests of a component's metrics.</summary>
/// <remarks>Meters are process-wide: a test using this runs alone (<c>[DoNotParallelize]</c>).</remarks>
internal sealed class MeterSums : IDisposable
{
    private readonly ConcurrentDictionary<string, double> _sums = new();
    private readonly MeterListener _listener = new();

    public MeterSums(string meterName)
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == meterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => Add(instrument.Name, value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => Add(instrument.Name, value));
        _listener.Start();
    }

    /// <summary>Returns the sum of an instrument's measurements so far (0 when it recorded none).</summary>
    public double Sum(string instrument) => _sums.TryGetValue(instrument, out double sum) ? sum : 0;

    /// <summary>Returns whether the instrument recorded any measurement.</summary>
    public bool Recorded(string instrument) => _sums.ContainsKey(instrument);

    /// <summary>Stops listening; the sums stay readable.</summary>
    public void Dispose() => _listener.Dispose();

    private void Add(string instrument, double value) => _sums.AddOrUpdate(instrument, value, (_, sum) => sum + value);
}
