using System.Runtime.InteropServices;

namespace ShardPack.Tests;

[TestClass]
public sealed class InterruptionTests
{
    [TestMethod]
    public void Request_FirstSignal_CancelsAndKeepsProcess()
    {
        using var interruption = new Interruption();

        Assert.IsTrue(interruption.Request(PosixSignal.SIGINT));

        Assert.IsTrue(interruption.Token.IsCancellationRequested);
        Assert.AreEqual(ExitCodes.Interrupted, interruption.ExitCode);
        Assert.AreEqual("SIGINT", interruption.SignalName);
    }

    [TestMethod]
    public void Request_SecondSignal_LetsTheProcessEnd()
    {
        using var interruption = new Interruption();
        interruption.Request(PosixSignal.SIGTERM);

        Assert.IsFalse(interruption.Request(PosixSignal.SIGINT));
        Assert.AreEqual(ExitCodes.Terminated, interruption.ExitCode);
    }

    [TestMethod]
    public void Signal_NoneYet_IsNull()
    {
        using var interruption = new Interruption();

        Assert.IsNull(interruption.Signal);
        Assert.IsFalse(interruption.Token.IsCancellationRequested);
    }
}
