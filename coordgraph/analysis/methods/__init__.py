"""Published coordination methods other than CooRTweet, as pure functions over share tables."""
