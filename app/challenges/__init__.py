"""揭榜挂帅 and 赛马制: 榜单 and challenge items (items/), 揭榜 applications (applications/), expert
review (review/), decision, 公示 and objections (notice/), and the contract through 验收 (delivery/)."""
