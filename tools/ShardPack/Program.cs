return ShardPack.ShardPackApp.Run(args, Console.Out, Console.Error);
