using ShardPack;

using Interruption interruption = Interruption.ForProcess();
return ShardPackApp.Run(args, Console.Out, Console.Error, interruption);
